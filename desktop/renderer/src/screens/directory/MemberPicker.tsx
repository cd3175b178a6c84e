import { useState } from 'react';
import { Autocomplete } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';

export type Pick = { kind: 'USER' | 'GROUP'; id: string; label: string };

/** Type a name or email; pick a user or a group of the current tenant (server-side search). */
export function MemberPicker({ label, onPick, groups = true }: { label: string; onPick(pick: Pick): void; groups?: boolean }) {
  const { client, tenantId } = useSession();
  const [text, setText] = useState('');
  const q = text.trim();
  const users = useQuery({
    queryKey: ['picker-users', tenantId, q],
    queryFn: ({ signal }) => client.users.search({ q, per_page: 8 }, tenantId ?? undefined, signal),
    enabled: q.length >= 2,
  });
  const groupHits = useQuery({
    queryKey: ['picker-groups', tenantId, q],
    queryFn: ({ signal }) => client.groups.list(tenantId!, { search: q, per_page: 8 }, signal),
    enabled: groups && q.length >= 2 && !!tenantId,
  });
  const options: Pick[] = [
    ...(users.data?.data ?? []).map((u) => ({ kind: 'USER' as const, id: u.id, label: `${u.display_name || [u.first_name, u.last_name].filter(Boolean).join(' ') || u.email} <${u.email}>` })),
    ...(groupHits.data?.data ?? []).map((g) => ({ kind: 'GROUP' as const, id: g.id, label: `Group: ${g.name}` })),
  ];
  return (
    <Autocomplete
      label={label}
      placeholder="Name, email or group"
      value={text}
      onChange={setText}
      data={options.map((o) => ({ value: `${o.kind}:${o.id}`, label: o.label }))}
      filter={({ options: all }) => all}
      onOptionSubmit={(value) => {
        const pick = options.find((o) => `${o.kind}:${o.id}` === value);
        if (pick) onPick(pick);
        setText('');
      }}
    />
  );
}
