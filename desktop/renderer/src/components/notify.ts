import { notifications } from '@mantine/notifications';
import { ApiError } from '../../../../shared/client';

/** The server's own message for a failed action, or a plain one when it could not be reached. */
export function notifyError(err: unknown, title = 'That did not work') {
  notifications.show({ color: 'red', title, message: err instanceof ApiError ? err.message : 'The server cannot be reached.' });
}

export const notifyDone = (message: string) => notifications.show({ color: 'green', message });

/** Field errors of a 422 (or the field a 409 blamed), keyed by field, for a form's inputs. */
export const fieldErrorsOf = (err: unknown): Record<string, string> => (err instanceof ApiError ? err.fieldErrors : {});

export const formatDateTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** "3 min ago", "yesterday": how a timeline reads on the phone. */
export function formatAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}
