import { Button, type ButtonProps } from '@mantine/core';
import { IconFileExport } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { saveFile } from './save-file';
import { notifyFailure, notifySuccess } from './notify';

/**
 * GDPR export of one user: everything the server holds about them as one JSON document, saved
 * with the desktop app's dialog or downloaded in a browser. Hidden without `users:export`.
 */
export function ExportUserButton({ userId, email, ...props }: { userId: string; email: string } & ButtonProps) {
  const { client, can, tenantId } = useSession();
  const queryClient = useQueryClient();
  const exporting = useMutation({
    mutationFn: async () => {
      const { text, filename } = await client.exports.user(userId, tenantId ?? undefined);
      return saveFile(filename, text, 'application/json');
    },
    onSuccess: (saved) => {
      // The export is itself an audited event: the user's timeline and the audit log show it.
      void queryClient.invalidateQueries({ queryKey: ['audit'] });
      void queryClient.invalidateQueries({ queryKey: ['activity'] });
      if (saved) notifySuccess(`Everything held about ${email} was exported to ${saved}`, 'Exported');
    },
    onError: (err) => notifyFailure(err, `Export of ${email} failed`),
  });
  if (!can('users:export')) return null;
  return (
    <Button
      variant="light"
      leftSection={<IconFileExport size={16} />}
      loading={exporting.isPending}
      onClick={() => exporting.mutate()}
      aria-label={`Export data of ${email}`}
      {...props}
    >
      Export data
    </Button>
  );
}
