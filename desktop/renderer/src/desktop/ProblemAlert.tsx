import { Alert } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';

export function ProblemAlert({ message, title = 'Something went wrong' }: { message: string | null | undefined; title?: string }) {
  if (!message) return null;
  return (
    <Alert color="red" icon={<IconAlertCircle size={18} />} title={title} role="alert">
      {message}
    </Alert>
  );
}
