import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, FileInput, Group, Stack, Stepper, Text, Title } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconFileTypeCsv } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { useSession } from '../../auth/session';
import type { ImportJobView } from '../../../../../shared/client/imports-api';
import { notifyFailure, notifySuccess } from '../export/notify';
import { readPreview, type CsvPreview } from './csv-preview';
import { autoMatchAll, rewrittenUpload, validateMapping, type ColumnTarget } from './column-mapping';
import { PreviewTable } from './PreviewTable';
import { MappingTable } from './MappingTable';
import { ImportOptions, type ImportChoice } from './ImportOptions';
import { JobPanel } from './JobPanel';

/**
 * Bulk import in four steps: pick a CSV file (previewed in the browser), map its columns, a dry
 * run that changes nothing, then the import itself with a progress bar. The running job's id is
 * in the URL (`?job=`), so a reload or a colleague's link finds it again, and can resume it.
 */
export function ImportScreen() {
  const { client, tenantId } = useSession();
  const [params, setParams] = useSearchParams();
  const jobInUrl = params.get('job');
  const rowsInUrl = Number(params.get('rows')) || undefined;
  const [step, setStep] = useState(jobInUrl ? 3 : 0);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [targets, setTargets] = useState<ColumnTarget[]>([]);
  const [options, setOptions] = useState<ImportChoice>({ mode: 'create', on_error: 'skip' });
  const [dryRun, setDryRun] = useState<ImportJobView | null>(null);
  const [dryDone, setDryDone] = useState<ImportJobView | null>(null);
  const [started, setStarted] = useState<ImportJobView | null>(null);
  const scope = tenantId ?? undefined;
  // The job in the URL decides the last step: a link to a job opens it, leaving it starts over.
  useEffect(() => setStep((s) => (jobInUrl ? 3 : s === 3 ? 0 : s)), [jobInUrl]);

  const choose = async (picked: File | null) => {
    setFile(picked);
    setPreview(null);
    setPreviewError(null);
    setDryRun(null);
    setDryDone(null);
    if (!picked) return;
    try {
      const p = await readPreview(picked);
      setPreview(p);
      setTargets(autoMatchAll(p.header));
    } catch (err) {
      setPreviewError((err as Error).message);
    }
  };

  const start = useMutation({
    mutationFn: (dry: boolean) => client.imports.start(rewrittenUpload(file!, preview!, targets), { ...options, dry_run: dry }, scope),
    onSuccess: (job) => {
      if (job.dry_run) {
        setDryRun(job);
        setDryDone(null);
        return;
      }
      setStarted(job);
      setParams({ job: job.id, ...(dryDone ? { rows: String(dryDone.rows_read) } : {}) });
      setStep(3);
    },
    onError: (err) => notifyFailure(err, 'The file was not accepted'),
  });
  const onDryFinished = useCallback((job: ImportJobView) => setDryDone(job), []);
  const onImportFinished = useCallback((job: ImportJobView) => {
    if (job.status === 'completed') notifySuccess(`${job.created} created, ${job.updated} updated, ${job.failed} failed`, 'Import finished');
  }, []);

  const confirmImport = () =>
    modals.openConfirmModal({
      title: 'Import these users?',
      children: (
        <Text size="sm">
          {dryDone!.rows_read.toLocaleString()} rows of {file!.name}: {dryDone!.created} users will be created
          {options.mode === 'upsert' ? ` and ${dryDone!.updated} updated` : ''}
          {dryDone!.failed ? `; ${dryDone!.failed} rows with errors ${options.on_error === 'skip' ? 'are skipped' : 'stop the import'}` : ''}. Imported users
          can only be removed one by one.
        </Text>
      ),
      labels: { confirm: 'Import', cancel: 'Cancel' },
      onConfirm: () => start.mutate(false),
    });

  const restart = () => {
    setParams({});
    setStep(0);
    void choose(null);
  };
  const mappingOk = preview !== null && Object.keys(validateMapping(targets).columns).length === 0 && validateMapping(targets).overall.length === 0;
  const dryOk = dryDone !== null && dryDone.status === 'completed';

  return (
    <Stack>
      <Title order={3}>Import users</Title>
      <Stepper active={step} onStepClick={(s) => s < step && step < 3 && setStep(s)} size="sm">
        <Stepper.Step label="File" description="Pick a CSV file">
          <Stack maw={1100}>
            <FileInput
              label="CSV file"
              description="The first row names the columns; groups are separated by ;"
              placeholder="Choose a file"
              accept=".csv,text/csv"
              leftSection={<IconFileTypeCsv size={16} />}
              value={file}
              onChange={(f) => void choose(f)}
              clearable
              maw={420}
              error={previewError}
            />
            {preview && (
              <>
                <Text size="sm">{file!.name}: {preview.header.length} columns, {(file!.size / 1024).toFixed(1)} KB. The first rows:</Text>
                <PreviewTable preview={preview} />
                <Group><Button onClick={() => setStep(1)}>Next: map columns</Button></Group>
              </>
            )}
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Columns" description="What each column is">
          {preview && (
            <Stack>
              <Text size="sm">Columns were matched by their names; change any that are wrong. Ignored columns are left out of the upload.</Text>
              <MappingTable preview={preview} targets={targets} onChange={(t) => (setTargets(t), setDryRun(null), setDryDone(null))} />
              <Group>
                <Button variant="default" onClick={() => setStep(0)}>Back</Button>
                <Button disabled={!mappingOk} onClick={() => setStep(2)}>Next: dry run</Button>
              </Group>
            </Stack>
          )}
        </Stepper.Step>
        <Stepper.Step label="Dry run" description="Check without changing anything">
          <Stack maw={1000}>
            <ImportOptions value={options} onChange={(o) => (setOptions(o), setDryRun(null), setDryDone(null))} />
            <Group>
              <Button variant="default" onClick={() => setStep(1)}>Back</Button>
              <Button variant={dryRun ? 'light' : 'filled'} loading={start.isPending && start.variables === true} onClick={() => start.mutate(true)}>
                {dryRun ? 'Dry run again' : 'Start dry run'}
              </Button>
              {dryOk && (
                <Button color="teal" loading={start.isPending && start.variables === false} onClick={confirmImport}>
                  Import {dryDone!.rows_read.toLocaleString()} rows…
                </Button>
              )}
            </Group>
            {dryRun && <JobPanel key={dryRun.id} jobId={dryRun.id} initial={dryRun} onFinished={onDryFinished} />}
            {dryDone && dryDone.status !== 'completed' && <Alert color="orange">The dry run did not complete; fix the file or the mapping and try again.</Alert>}
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Import" description="Users are written">
          {jobInUrl && (
            <Stack maw={1000}>
              <JobPanel key={jobInUrl} jobId={jobInUrl} initial={started?.id === jobInUrl ? started : undefined} totalRows={rowsInUrl} onFinished={onImportFinished} />
              <Group><Button variant="default" onClick={restart}>Import another file</Button></Group>
            </Stack>
          )}
        </Stepper.Step>
      </Stepper>
    </Stack>
  );
}
