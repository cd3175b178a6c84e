import { useEffect, useState } from 'react';
import { Alert, Button, Group, Paper, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { User } from '../../../../../shared/client/users-api';
import { ApiError } from '../../../../../shared/client';
import { fieldErrorsOf, notifyDone } from '../../components/notify';
import { ROLE_LABELS, assignableRoles } from '../../components/roles';
import { mayActOn } from './status-actions';
import { profileChanges, profileValues, type ProfileValues, type TextField } from './profile-fields';
import { useUserChanged } from './use-user';

const LABELS: Record<TextField, string> = {
  first_name: 'First name',
  last_name: 'Last name',
  display_name: 'Display name',
  email: 'Email',
  username: 'Username',
  phone: 'Phone',
  job_title: 'Job title',
  company: 'Company',
  locale: 'Locale',
  timezone: 'Time zone',
};

/**
 * The profile, edited in place: Save sends only what changed, with If-Match on the version read;
 * a 422 puts each message on its field, a 412 reloads what someone else saved.
 */
export function ProfileForm({ user }: { user: User }) {
  const session = useSession();
  const { client, tenantId, can } = session;
  const changed = useUserChanged(user.id);
  const editable = can('users:update') && mayActOn({ role: session.user!.role, userId: session.user!.id, can }, user);
  const managed = user.identity_source !== 'LOCAL';
  // The version the form was filled from: edits are measured against it and sent with If-Match on it.
  const [base, setBase] = useState<User>(user);
  const [values, setValues] = useState<ProfileValues>(() => profileValues(user));
  const [conflict, setConflict] = useState(false);
  const changes = profileChanges(base, values);
  const dirty = Object.keys(changes).length > 0;
  const load = (next: User) => {
    setBase(next);
    setValues(profileValues(next));
  };

  // A newer version (the live timeline, another tab) replaces an untouched form; after a 412, also an edited one.
  useEffect(() => {
    if (!dirty || conflict) load(user);
  }, [user.version, conflict]);

  const ous = useQuery({
    queryKey: ['ous', 'all', tenantId],
    queryFn: () => client.ous.list(tenantId!, { sort_by: 'path', per_page: 100 }).then((p) => p.data),
    enabled: editable && can('ous:read') && !!tenantId,
  });
  const save = useMutation({
    mutationFn: () => client.users.update(user.id, changes, base.version, tenantId ?? undefined),
    onSuccess: (updated) => {
      setConflict(false);
      load(updated);
      changed(updated);
      notifyDone('Profile saved');
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 412) {
        setConflict(true);
        changed();
      }
    },
  });

  const errors = fieldErrorsOf(save.error);
  const shownFields = new Set<string>(['ou_id', 'role', ...Object.keys(LABELS)]);
  const general = save.error && !(save.error instanceof ApiError && save.error.status === 412) && !Object.keys(errors).some((f) => shownFields.has(f))
    ? save.error instanceof ApiError ? save.error.message : 'The server cannot be reached.'
    : null;
  const set = (field: keyof ProfileValues, value: string | null) => {
    setConflict(false);
    setValues((v) => ({ ...v, [field]: value }));
  };
  const text = (field: TextField, extra: { disabled?: boolean; description?: string } = {}) => (
    <TextInput
      key={field}
      label={LABELS[field]}
      value={values[field]}
      readOnly={!editable}
      variant={editable ? 'default' : 'filled'}
      onChange={(e) => set(field, e.currentTarget.value)}
      error={errors[field]}
      {...extra}
    />
  );

  return (
    <Paper withBorder p="md" component="form" aria-label="Profile" onSubmit={(e) => (e.preventDefault(), dirty && save.mutate())}>
      <Stack>
        <Group justify="space-between">
          <Title order={4}>Profile</Title>
          {editable && (
            <Group gap="xs">
              <Button variant="default" size="xs" disabled={!dirty} onClick={() => (load(user), setConflict(false), save.reset())}>
                Discard
              </Button>
              <Button type="submit" size="xs" disabled={!dirty} loading={save.isPending}>
                Save
              </Button>
            </Group>
          )}
        </Group>
        {conflict && (
          <Alert color="yellow" role="alert" title="Someone else changed this user">
            Your edits were not saved. The form now shows the latest version; make your change again.
          </Alert>
        )}
        {general && (
          <Alert color="red" role="alert">
            {general}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
          {text('first_name')}
          {text('last_name')}
          {text('display_name')}
          {text('email', managed ? { disabled: true, description: `Managed by ${user.identity_source}` } : {})}
          {text('username', managed ? { disabled: true, description: `Managed by ${user.identity_source}` } : {})}
          {text('phone')}
          {text('job_title')}
          {text('company')}
          {text('locale')}
          {text('timezone')}
          {editable && can('ous:read') ? (
            <Select
              label="Organisational unit"
              searchable
              clearable
              value={values.ou_id}
              onChange={(v) => set('ou_id', v)}
              data={(ous.data ?? []).map((o) => ({ value: o.id, label: o.path }))}
              placeholder={user.ou_path ?? 'None'}
              error={errors.ou_id}
            />
          ) : (
            <TextInput label="Organisational unit" value={user.ou_path ?? '—'} readOnly variant="filled" />
          )}
          <Select
            label="Role"
            value={values.role}
            readOnly={!editable}
            variant={editable ? 'default' : 'filled'}
            allowDeselect={false}
            onChange={(v) => v && set('role', v)}
            data={(editable ? assignableRoles(session.user!.role) : [user.role]).map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
            error={errors.role}
          />
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}
