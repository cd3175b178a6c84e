import { iso } from './values';

export interface OuRow {
  id: string;
  tenantId: string;
  parentId: string | null;
  name: string;
  path: string;
  description: string | null;
  userCount: number | string;
  childCount: number | string;
  createdAt: unknown;
  updatedAt: unknown;
}

export const presentOu = (o: OuRow) => ({
  id: o.id,
  tenant_id: o.tenantId,
  parent_id: o.parentId ?? null,
  name: o.name,
  path: o.path,
  description: o.description ?? null,
  user_count: Number(o.userCount),
  child_count: Number(o.childCount),
  created_at: iso(o.createdAt)!,
  updated_at: iso(o.updatedAt)!,
});
