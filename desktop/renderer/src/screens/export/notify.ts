import { notifications } from '@mantine/notifications';
import { ApiError } from '../../../../../shared/client';

/** The server's own message for a failed action, or a plain one when it could not be reached. */
export function notifyFailure(err: unknown, title = 'That did not work') {
  notifications.show({ color: 'red', title, message: errorText(err) });
}

export const notifySuccess = (message: string, title?: string) => notifications.show({ color: 'green', title, message });

/** What to show for an error inline: the server's message, or that it could not be reached. */
export const errorText = (err: unknown) => (err instanceof ApiError ? err.message : 'The server cannot be reached.');
