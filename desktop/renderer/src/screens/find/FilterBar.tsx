import { useState } from 'react';
import { Button, Group } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { FilterChip, type ChipOption } from '../../components/FilterChip';
import { STATUS_LABELS } from '../../components/StatusBadge';
import { ROLE_LABELS, ROLES } from '../../components/roles';
import { IdentitySource, UserStatus } from '../../../../../shared/schemas/user';
import type { SearchState } from './search-state';

type Filters = Pick<SearchState, 'status' | 'role' | 'ou' | 'group' | 'mfa' | 'source'>;

const STATUS_OPTIONS = UserStatus.options.map((s) => ({ value: s, label: STATUS_LABELS[s] }));
const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }));
const SOURCE_OPTIONS = IdentitySource.options.map((s) => ({ value: s, label: s }));
const MFA_OPTIONS = [
  { value: 'on', label: 'On' },
  { value: 'off', label: 'Off' },
];

/** Server-side search over a tenant's OUs or groups for a chip's options, and the chosen one's name. */
function useLookup(kind: 'ous' | 'groups', chosen: string | null, enabled: boolean) {
  const { client, tenantId } = useSession();
  const [text, setText] = useState('');
  // Loaded when the chip first opens: most searches never touch these filters.
  const [wanted, setWanted] = useState(false);
  const [search] = useDebouncedValue(text, 150);
  const list = useQuery<ChipOption[]>({
    queryKey: [kind, 'chip', tenantId, search],
    queryFn: ({ signal }) =>
      kind === 'ous'
        ? client.ous.list(tenantId!, { search: search || undefined, sort_by: 'path', per_page: 50 }).then((p) => p.data.map((o) => ({ value: o.id, label: o.path })))
        : client.groups.list(tenantId!, { search: search || undefined, sort_by: 'name', per_page: 50 }, signal).then((p) => p.data.map((g) => ({ value: g.id, label: g.name }))),
    enabled: enabled && wanted && !!tenantId,
    placeholderData: keepPreviousData,
  });
  const one = useQuery({
    queryKey: [kind, 'one', tenantId, chosen],
    queryFn: () => (kind === 'ous' ? client.ous.get(tenantId!, chosen!).then((o) => o.path) : client.groups.get(tenantId!, chosen!).then((g) => g.name)),
    enabled: enabled && !!tenantId && !!chosen,
  });
  return { options: list.data ?? [], loading: list.isFetching || (wanted && list.isPending), label: chosen ? (one.data ?? '…') : null, setText, open: () => setWanted(true) };
}

/** The filter chips above the result list; only those the role may read are shown. */
export function FilterBar({ filters, onChange }: { filters: Filters; onChange(patch: Partial<Filters>): void }) {
  const { can } = useSession();
  const ous = useLookup('ous', filters.ou, can('ous:read'));
  const groups = useLookup('groups', filters.group, can('groups:read'));
  const any = [filters.status, filters.role, filters.ou, filters.group, filters.mfa, filters.source].some((v) => v !== null);
  return (
    <Group gap="xs" aria-label="Filters" role="group">
      <FilterChip label="Status" valueLabel={filters.status && STATUS_LABELS[filters.status]} options={STATUS_OPTIONS} onChange={(v) => onChange({ status: v as Filters['status'] })} />
      <FilterChip label="Role" valueLabel={filters.role && ROLE_LABELS[filters.role]} options={ROLE_OPTIONS} onChange={(v) => onChange({ role: v as Filters['role'] })} />
      {can('ous:read') && <FilterChip label="OU" valueLabel={ous.label} options={ous.options} onSearch={ous.setText} onOpen={ous.open} loading={ous.loading} onChange={(v) => onChange({ ou: v })} />}
      {can('groups:read') && <FilterChip label="Group" valueLabel={groups.label} options={groups.options} onSearch={groups.setText} onOpen={groups.open} loading={groups.loading} onChange={(v) => onChange({ group: v })} />}
      <FilterChip label="MFA" valueLabel={filters.mfa === null ? null : filters.mfa ? 'On' : 'Off'} options={MFA_OPTIONS} onChange={(v) => onChange({ mfa: v === null ? null : v === 'on' })} />
      <FilterChip label="Source" valueLabel={filters.source} options={SOURCE_OPTIONS} onChange={(v) => onChange({ source: v as Filters['source'] })} />
      {any && (
        <Button size="compact-sm" variant="subtle" onClick={() => onChange({ status: null, role: null, ou: null, group: null, mfa: null, source: null })}>
          Clear filters
        </Button>
      )}
    </Group>
  );
}
