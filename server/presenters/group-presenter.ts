import { iso } from './values';

export interface GroupRow {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  externalId: string | null;
  memberCount: number | string;
  version: number;
  createdAt: unknown;
  updatedAt: unknown;
}

export const presentGroup = (g: GroupRow) => ({
  id: g.id,
  tenant_id: g.tenantId,
  name: g.name,
  description: g.description ?? null,
  external_id: g.externalId ?? null,
  member_count: Number(g.memberCount),
  version: Number(g.version),
  created_at: iso(g.createdAt)!,
  updated_at: iso(g.updatedAt)!,
});

export interface GroupMemberRow {
  memberType: 'USER' | 'GROUP';
  id: string;
  name: string | null;
  email: string | null;
  direct: number | boolean | string;
  addedAt: unknown;
}

export const presentGroupMember = (m: GroupMemberRow) => ({
  member_type: m.memberType,
  id: m.id,
  name: m.name ?? null,
  email: m.email ?? null,
  membership_type: Number(m.direct) === 1 || m.direct === true ? ('DIRECT' as const) : ('INHERITED' as const),
  added_at: iso(m.addedAt),
});
