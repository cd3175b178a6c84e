import { Autocomplete, Button, Group, TextInput } from '@mantine/core';
import { useState } from 'react';
import { UserPicker, type PickedUser } from '../merge/UserPicker';
import { COMMON_ACTIONS, NO_FILTERS, type AuditFilters } from './audit-filter';

/** Action, actor, user and time range; each change applies at once. */
export function AuditFiltersBar({ value, onChange }: { value: AuditFilters; onChange(f: AuditFilters): void }) {
  const [actor, setActor] = useState<PickedUser | null>(null);
  const [subject, setSubject] = useState<PickedUser | null>(null);
  const [action, setAction] = useState(value.action);
  const set = (patch: Partial<AuditFilters>) => onChange({ ...value, ...patch });
  const empty = JSON.stringify(value) === JSON.stringify(NO_FILTERS);
  return (
    <Group align="flex-end" gap="sm" wrap="wrap">
      <Autocomplete
        label="Action"
        placeholder="e.g. user.login or user.*"
        data={COMMON_ACTIONS}
        value={action}
        onChange={(v) => {
          setAction(v);
          // Apply when a suggestion was picked or the box was emptied; typed text applies on Enter or blur.
          if (v === '' || COMMON_ACTIONS.includes(v)) set({ action: v });
        }}
        onKeyDown={(e) => e.key === 'Enter' && set({ action })}
        onBlur={() => action !== value.action && set({ action })}
        w={220}
      />
      <div style={{ width: 260 }}>
        <UserPicker label="Actor" placeholder="Who did it" value={actor} onChange={(u) => (setActor(u), set({ actorId: u?.id ?? null }))} />
      </div>
      <div style={{ width: 260 }}>
        <UserPicker label="User" placeholder="Whom it was about" value={subject} onChange={(u) => (setSubject(u), set({ subjectId: u?.id ?? null }))} />
      </div>
      <TextInput label="From" type="datetime-local" value={value.since} onChange={(e) => set({ since: e.currentTarget.value })} w={200} />
      <TextInput label="To" type="datetime-local" value={value.until} onChange={(e) => set({ until: e.currentTarget.value })} w={200} />
      <Button
        variant="subtle"
        disabled={empty}
        onClick={() => {
          setActor(null);
          setSubject(null);
          setAction('');
          onChange(NO_FILTERS);
        }}
      >
        Clear filters
      </Button>
    </Group>
  );
}
