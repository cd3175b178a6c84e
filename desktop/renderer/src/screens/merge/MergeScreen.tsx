import { useState } from 'react';
import { ActionIcon, Alert, Button, Center, Grid, Group, Loader, Stack, Text, Title, Tooltip } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconArrowsExchange } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { errorText, notifyFailure, notifySuccess } from '../export/notify';
import type { MergePlanView } from '../../../../../shared/client/merge-api';
import type { UserResponse } from '../../../../../shared/schemas/user';
import { UserPicker, userLabel, type PickedUser } from './UserPicker';
import { DuplicatesList } from './DuplicatesList';
import { MergeCompare } from './MergeCompare';
import { MergePreview } from './MergePreview';
import type { Choices } from './merge-fields';

/** Two accounts of one person become one: pick them, choose per field, preview, confirm. */
export function MergeScreen() {
  const { client, tenantId } = useSession();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<PickedUser | null>(null);
  const [source, setSource] = useState<PickedUser | null>(null);
  const [choices, setChoices] = useState<Choices>({});
  const [result, setResult] = useState<{ plan: MergePlanView; source: UserResponse } | null>(null);
  const plan = result?.plan ?? null;
  const scope = tenantId ?? undefined;

  const pick = (t: PickedUser | null, s: PickedUser | null) => {
    setTarget(t);
    setSource(s);
    setChoices({});
    setResult(null);
  };
  const full = (u: PickedUser | null) => ({
    queryKey: ['users', 'merge', tenantId, u?.id],
    queryFn: ({ signal }: { signal: AbortSignal }) => client.users.get(u!.id, ['groups', 'ou'], scope, signal),
    enabled: !!u,
  });
  const sourceUser = useQuery(full(source));
  const targetUser = useQuery(full(target));

  const run = useMutation({
    mutationFn: (dryRun: boolean) =>
      client.merge.merge({ source_user_id: source!.id, target_user_id: target!.id, dry_run: dryRun, prefer: choices }, scope),
    onSuccess: (done) => {
      setResult({ plan: done, source: sourceUser.data! });
      if (done.dry_run) return;
      notifySuccess(`${source!.email} was merged into ${target!.email}`, 'Accounts merged');
      for (const key of ['users', 'duplicates', 'audit', 'activity', 'stats']) void queryClient.invalidateQueries({ queryKey: [key] });
      setSource(null);
    },
    onError: (err) => notifyFailure(err, 'The merge did not go through'),
  });

  const confirmMerge = () =>
    modals.openConfirmModal({
      title: 'Merge these accounts?',
      children: (
        <Text size="sm">
          {userLabel(source!)} will be merged into {userLabel(target!)} and deleted. Its groups, applications and identities move to the kept
          account and its sessions end. This cannot be undone.
        </Text>
      ),
      labels: { confirm: 'Merge', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => run.mutate(false),
    });

  const choose = (c: Choices) => {
    setChoices(c);
    setResult(null);
  };
  const previewCurrent = plan?.dry_run === true && plan.source_user_id === source?.id && plan.target_user_id === target?.id;
  const loadError = sourceUser.error ?? targetUser.error;

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, lg: 9 }}>
        <Stack>
          <Title order={3}>Merge accounts</Title>
          <Group align="flex-end" wrap="nowrap">
            <div style={{ flex: 1 }}>
              <UserPicker label="Account to merge away" value={source} onChange={(u) => pick(target, u)} excludeId={target?.id} />
            </div>
            <Tooltip label="Swap">
              <ActionIcon variant="light" size="lg" aria-label="Swap accounts" disabled={!source && !target} onClick={() => pick(source, target)}>
                <IconArrowsExchange size={18} />
              </ActionIcon>
            </Tooltip>
            <div style={{ flex: 1 }}>
              <UserPicker label="Account to keep" value={target} onChange={(u) => pick(u, source)} excludeId={source?.id} />
            </div>
          </Group>
          {!source || !target ? (
            plan && !plan.dry_run ? null : <Text c="dimmed">Pick both accounts, or start from a likely duplicate.</Text>
          ) : loadError ? (
            <Alert color="red" title="An account could not be loaded">{errorText(loadError)}</Alert>
          ) : !sourceUser.data || !targetUser.data ? (
            <Center h={120}><Loader aria-label="Loading accounts" /></Center>
          ) : (
            <>
              <MergeCompare source={sourceUser.data} target={targetUser.data} choices={choices} onChoose={choose} />
              <Group justify="flex-end">
                <Button variant="light" loading={run.isPending && run.variables === true} onClick={() => run.mutate(true)}>Preview merge</Button>
                <Tooltip label="Preview the merge first" disabled={previewCurrent}>
                  <Button color="red" disabled={!previewCurrent} loading={run.isPending && run.variables === false} onClick={confirmMerge}>Merge…</Button>
                </Tooltip>
              </Group>
            </>
          )}
          {result && (!result.plan.dry_run || previewCurrent) && <MergePreview plan={result.plan} source={result.source} />}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 3 }}>
        <DuplicatesList onPick={(t, s) => pick(t, s)} />
      </Grid.Col>
    </Grid>
  );
}
