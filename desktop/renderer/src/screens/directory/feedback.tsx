import { Code, CopyButton, Button, Group, Stack, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { ApiError } from '../../../../../shared/client';

/** The server's own message for a failed action, or a plain one when it could not be reached. */
export function notifyError(err: unknown, title = 'That did not work') {
  notifications.show({ color: 'red', title, message: err instanceof ApiError ? err.message : 'The server cannot be reached.' });
}

export const notifyDone = (message: string) => notifications.show({ color: 'green', message });

/** Field errors of a 422 keyed by field, for the inputs of a form. */
export const fieldErrorsOf = (err: unknown): Record<string, string> => (err instanceof ApiError ? err.fieldErrors : {});

/** A confirmation for what cannot be undone; resolves true when confirmed. */
export function confirmAction(title: string, message: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) =>
    modals.openConfirmModal({
      title,
      children: <Text size="sm">{message}</Text>,
      labels: { confirm: confirmLabel, cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => resolve(true),
      onCancel: () => resolve(false),
      onClose: () => resolve(false),
    }),
  );
}

/** A secret shown once (API token, client secret): copy it now, it is never shown again. */
export function showSecretOnce(title: string, label: string, secret: string) {
  modals.open({
    title,
    closeOnClickOutside: false,
    children: (
      <Stack>
        <Text size="sm">{label} It is shown only now: copy it and keep it somewhere safe.</Text>
        <Code block aria-label="Secret" style={{ wordBreak: 'break-all' }}>{secret}</Code>
        <Group justify="flex-end">
          <CopyButton value={secret}>{({ copied, copy }) => <Button variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
          <Button onClick={() => modals.closeAll()}>Done</Button>
        </Group>
      </Stack>
    ),
  });
}

export const formatDate = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
