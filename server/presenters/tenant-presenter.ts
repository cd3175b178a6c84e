import type { Tenant } from '../models/tenant';
import { mergeSettings } from '../../shared/schemas/tenant';
import { iso } from './values';

export function presentTenant(t: Tenant) {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    partner_id: t.partnerId ?? null,
    status: t.status,
    settings: mergeSettings(t.settings, undefined),
    created_at: iso(t.createdAt)!,
    updated_at: iso(t.updatedAt)!,
  };
}
