import { useEffect, useRef } from 'react';
import { Alert, Badge, Button, Group, Loader, Progress, Stack, Text } from '@mantine/core';
import { IconDownload, IconPlayerPlay } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { ImportJobView } from '../../../../../shared/client/imports-api';
import { saveFile } from '../export/save-file';
import { errorText, notifyFailure } from '../export/notify';
import { RowErrors } from './RowErrors';

const RUNNING = new Set(['queued', 'running']);
const STATUS_COLOR: Record<ImportJobView['status'], string> = {
  queued: 'gray', running: 'blue', completed: 'teal', failed: 'red', aborted: 'orange', interrupted: 'yellow',
};

/**
 * One import job as it runs: polled twice a second until it ends, with a progress bar when the
 * number of rows is known (from the dry run), the counts, the row errors, their download, and
 * resume when the server was stopped in the middle.
 */
export function JobPanel({ jobId, initial, totalRows, onFinished }: {
  jobId: string;
  /** The job as its start answered, so the panel shows it at once and knows it saw it run. */
  initial?: ImportJobView;
  totalRows?: number;
  /** Called once when a job this panel saw running ends (not for one opened after it ended). */
  onFinished?(job: ImportJobView): void;
}) {
  const { client, tenantId } = useSession();
  const queryClient = useQueryClient();
  const scope = tenantId ?? undefined;
  const job = useQuery({
    queryKey: ['import-job', jobId],
    queryFn: ({ signal }) => client.imports.get(jobId, scope, signal),
    initialData: initial,
    refetchInterval: (q) => (!q.state.data || RUNNING.has(q.state.data.status) ? 500 : false),
  });
  const sawRunning = useRef(false);
  useEffect(() => {
    const j = job.data;
    if (!j) return;
    if (RUNNING.has(j.status)) {
      sawRunning.current = true;
      return;
    }
    if (!sawRunning.current) return;
    sawRunning.current = false;
    if (!j.dry_run) for (const key of ['users', 'stats', 'audit']) void queryClient.invalidateQueries({ queryKey: [key] });
    onFinished?.(j);
  }, [job.data, onFinished, queryClient]);

  const download = useMutation({
    mutationFn: async () => {
      const { blob, filename } = await client.imports.errorsCsv(jobId, scope);
      return saveFile(filename, await blob.text(), 'text/csv');
    },
    onError: (err) => notifyFailure(err, 'The errors could not be downloaded'),
  });
  const resume = useMutation({
    mutationFn: () => client.imports.resume(jobId, scope),
    onSuccess: (j) => {
      sawRunning.current = true;
      queryClient.setQueryData(['import-job', jobId], j);
    },
    onError: (err) => notifyFailure(err, 'The import could not be resumed'),
  });

  if (job.isError) return <Alert color="red" title="The import job could not be read">{errorText(job.error)}</Alert>;
  if (!job.data) return <Loader aria-label="Loading the import job" />;
  const j = job.data;
  const running = RUNNING.has(j.status);
  const processed = j.rows_read;
  const percent = totalRows ? Math.min(100, Math.round((processed / totalRows) * 100)) : j.status === 'completed' ? 100 : null;

  return (
    <Stack gap="sm" aria-label={j.dry_run ? 'Dry run' : 'Import'}>
      <Group gap="sm">
        <Badge color={STATUS_COLOR[j.status]} aria-label={`Status: ${j.status}`}>{j.dry_run ? `Dry run ${j.status}` : j.status}</Badge>
        <Text size="sm">{processed.toLocaleString()}{totalRows ? ` of ${totalRows.toLocaleString()}` : ''} rows read</Text>
        {running && <Loader size="xs" />}
      </Group>
      <Progress
        aria-label="Import progress"
        value={percent ?? 100}
        striped={running}
        animated={running}
        color={j.failed && !running ? 'orange' : 'indigo'}
        size="lg"
      />
      <Group gap="lg" aria-label="Counts">
        <Text size="sm"><b>{j.created}</b> {j.dry_run ? 'would be created' : 'created'}</Text>
        <Text size="sm"><b>{j.updated}</b> {j.dry_run ? 'would be updated' : 'updated'}</Text>
        <Text size="sm"><b>{j.skipped}</b> unchanged</Text>
        <Text size="sm" c={j.failed ? 'red' : undefined}><b>{j.failed}</b> failed</Text>
      </Group>
      {j.message && <Alert color={j.status === 'completed' ? 'blue' : 'orange'}>{j.message}</Alert>}
      {j.status === 'interrupted' && (
        <Alert color="yellow" title="The import was interrupted">
          <Stack gap="xs">
            <Text size="sm">The server stopped during this import. {j.committed_rows.toLocaleString()} {j.committed_rows === 1 ? 'row is' : 'rows are'} safely in; resume to go on from there.</Text>
            <Group><Button leftSection={<IconPlayerPlay size={16} />} loading={resume.isPending} onClick={() => resume.mutate()}>Resume import</Button></Group>
          </Stack>
        </Alert>
      )}
      <RowErrors job={j} />
      {j.failed > 0 && !running && (
        <Group>
          <Button variant="light" leftSection={<IconDownload size={16} />} loading={download.isPending} onClick={() => download.mutate()}>
            Download errors (CSV)
          </Button>
        </Group>
      )}
    </Stack>
  );
}
