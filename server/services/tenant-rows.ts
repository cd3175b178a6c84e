import type { Knex } from 'knex';
import { validationError } from '../errors/app-error';

/**
 * Every id must name a row of the tenant (live users only); otherwise a 422 on `field` naming
 * the missing ones. Looked up in chunks so a request naming hundreds stays within bind limits.
 */
export async function assertInTenant(trx: Knex, table: 'users' | 'groups', tenantId: string, ids: string[], field: string): Promise<string[]> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const q = trx(table).where({ tenantId }).whereIn('id', ids.slice(i, i + 500));
    if (table === 'users') q.whereNull('deletedAt');
    for (const r of await q.select('id')) found.add(r.id);
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw validationError(['body', field], `Not found in the tenant: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`);
  return ids;
}
