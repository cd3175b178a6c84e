import { useState } from 'react';
import { Alert, Button, Group, MultiSelect, Paper, PasswordInput, Select, SimpleGrid, Stack, Switch, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useSession } from '../../auth/session';
import { ApiError } from '../../../../../shared/client';
import type { Role } from '../../../../../shared/schemas/user';
import { fieldErrorsOf, notifyDone } from '../../components/notify';
import { ROLE_LABELS, assignableRoles } from '../../components/roles';
import { createBody, emptyNewUser, type NewUser } from './new-user';

/** Create user: the fields that matter, the server's errors on them, then the new user's screen. */
export function CreateUserScreen() {
  const { client, tenantId, user: me, can } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm] = useState<NewUser>(emptyNewUser);
  const [groupSearch, setGroupSearch] = useState('');
  const [groupQuery] = useDebouncedValue(groupSearch, 150);
  const [groupLabels, setGroupLabels] = useState<Record<string, string>>({});
  const set = <K extends keyof NewUser>(key: K, value: NewUser[K]) => setForm((f) => ({ ...f, [key]: value }));

  const ous = useQuery({
    queryKey: ['ous', 'all', tenantId],
    queryFn: () => client.ous.list(tenantId!, { sort_by: 'path', per_page: 100 }).then((p) => p.data),
    enabled: !!tenantId && can('ous:read'),
  });
  const groups = useQuery<{ value: string; label: string }[]>({
    queryKey: ['groups', 'chip', tenantId, groupQuery],
    queryFn: ({ signal }) => client.groups.list(tenantId!, { search: groupQuery || undefined, sort_by: 'name', per_page: 50 }, signal).then((p) => p.data.map((g) => ({ value: g.id, label: g.name }))),
    enabled: !!tenantId && can('groups:read'),
    placeholderData: keepPreviousData,
  });
  const create = useMutation({
    mutationFn: () => client.users.create(createBody(form), tenantId ?? undefined),
    onSuccess: (user) => {
      notifyDone(`${user.email} was created`);
      void queryClient.invalidateQueries({ queryKey: ['users', 'search'] });
      navigate(`/users/${user.id}`, { replace: true });
    },
  });

  const errors = fieldErrorsOf(create.error);
  const onForm = new Set(['email', 'first_name', 'last_name', 'username', 'role', 'ou_id', 'group_ids', 'password']);
  const general = create.error && !Object.keys(errors).some((f) => onForm.has(f.split('.')[0]!)) ? (create.error instanceof ApiError ? create.error.message : 'The server cannot be reached.') : null;
  // Chosen groups keep their names even when a later search no longer lists them.
  const groupOptions = [...(groups.data ?? []), ...form.group_ids.filter((id) => !(groups.data ?? []).some((g) => g.value === id)).map((id) => ({ value: id, label: groupLabels[id] ?? id }))];

  return (
    <Stack maw={760}>
      <Title order={3}>New user</Title>
      <Paper withBorder p="md" component="form" aria-label="New user" onSubmit={(e) => (e.preventDefault(), create.mutate())}>
        <Stack>
          {general && (
            <Alert color="red" role="alert">
              {general}
            </Alert>
          )}
          <TextInput label="Email" type="email" required withAsterisk autoFocus value={form.email} onChange={(e) => set('email', e.currentTarget.value)} error={errors.email} />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput label="First name" value={form.first_name} onChange={(e) => set('first_name', e.currentTarget.value)} error={errors.first_name} />
            <TextInput label="Last name" value={form.last_name} onChange={(e) => set('last_name', e.currentTarget.value)} error={errors.last_name} />
            <TextInput label="Username" description="Optional; letters, digits and _ - @ ." value={form.username} onChange={(e) => set('username', e.currentTarget.value)} error={errors.username} />
            <Select
              label="Role"
              allowDeselect={false}
              value={form.role}
              onChange={(v) => v && set('role', v as Role)}
              data={assignableRoles(me!.role).map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
              error={errors.role}
            />
            {can('ous:read') && (
              <Select
                label="Organisational unit"
                searchable
                clearable
                value={form.ou_id}
                onChange={(v) => set('ou_id', v)}
                data={(ous.data ?? []).map((o) => ({ value: o.id, label: o.path }))}
                placeholder="None"
                error={errors.ou_id}
              />
            )}
            {can('groups:read') && (
              <MultiSelect
                label="Groups"
                searchable
                clearable
                searchValue={groupSearch}
                onSearchChange={setGroupSearch}
                filter={({ options }) => options}
                value={form.group_ids}
                onChange={(ids) => {
                  setGroupLabels((labels) => ({ ...labels, ...Object.fromEntries((groups.data ?? []).map((g) => [g.value, g.label])) }));
                  set('group_ids', ids);
                }}
                data={groupOptions}
                placeholder={form.group_ids.length ? undefined : 'Search groups'}
                nothingFoundMessage={groups.isFetching ? 'Searching…' : 'No such group'}
                error={errors.group_ids ?? Object.entries(errors).find(([f]) => f.startsWith('group_ids.'))?.[1]}
              />
            )}
          </SimpleGrid>
          <Switch
            label="Send a welcome email"
            description="The user gets a mail to choose a password; leave off to set one now"
            checked={form.send_welcome_email}
            onChange={(e) => set('send_welcome_email', e.currentTarget.checked)}
          />
          {!form.send_welcome_email && (
            <PasswordInput label="Password" description="The tenant's password policy applies" autoComplete="new-password" value={form.password} onChange={(e) => set('password', e.currentTarget.value)} error={errors.password} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => navigate(-1)}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create user
            </Button>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}
