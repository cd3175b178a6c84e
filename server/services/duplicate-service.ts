import type { Actor } from '../http/context';
import type { Database, Dialect } from '../db/database';
import type { TenantService } from './tenant-service';
import { presentUserListItem, type UserRow } from '../presenters/user-presenter';

export type DuplicateReason = 'same_email_without_tag' | 'same_name_and_phone' | 'same_name';

/** SQL for the grouping key of each rule, on the live users of one tenant (`u`). */
function keyOf(reason: DuplicateReason, dialect: Dialect): string {
  const find = (needle: string, hay: string) => (dialect === 'pg' ? `strpos(${hay}, ${needle})` : `instr(${hay}, ${needle})`);
  const e = 'u.email_normalized';
  const plus = find(`'+'`, e);
  const at = find(`'@'`, e);
  // Phone numbers compare by their digits and plus sign only.
  const phone = `replace(replace(replace(replace(replace(u.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')`;
  const name = `lower(u.first_name) || '|' || lower(u.last_name)`;
  switch (reason) {
    case 'same_email_without_tag':
      return `CASE WHEN ${plus} > 0 AND ${plus} < ${at} THEN substr(${e}, 1, ${plus} - 1) || substr(${e}, ${at}) ELSE ${e} END`;
    case 'same_name_and_phone':
      return `${name} || '|' || ${phone}`;
    case 'same_name':
      return name;
  }
}

const NEEDS: Record<DuplicateReason, string> = {
  same_email_without_tag: `u.email_normalized LIKE '%+%@%'`,
  same_name_and_phone: 'u.first_name IS NOT NULL AND u.last_name IS NOT NULL AND u.phone IS NOT NULL',
  same_name: 'u.first_name IS NOT NULL AND u.last_name IS NOT NULL',
};

/**
 * Accounts that likely belong to one person, for a helpdesk to merge: the same address but for a
 * `+tag`, the same name and phone, or (weaker) the same name. Grouped in SQL; each group of n
 * accounts is reported once, strongest reason first.
 */
export class DuplicateService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantService,
  ) {}

  async find(actor: Actor, tenantRef: string, q: { reasons?: DuplicateReason[]; limit?: number }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const reasons = q.reasons?.length ? q.reasons : (['same_email_without_tag', 'same_name_and_phone', 'same_name'] as DuplicateReason[]);
    const limit = Math.min(q.limit ?? 50, 200);
    const seen = new Set<string>();
    const groups: { reason: DuplicateReason; users: ReturnType<typeof presentUserListItem>[] }[] = [];
    for (const reason of reasons) {
      if (groups.length >= limit) break;
      const key = keyOf(reason, this.db.dialect);
      // For the tag rule, the untagged address itself belongs to the group too.
      const candidates = reason === 'same_email_without_tag' ? '1 = 1' : NEEDS[reason];
      const dupKeys = this.db.knex
        .select(this.db.knex.raw(`${key} AS dup_key`))
        .from('users as u')
        .where('u.tenant_id', tenant.id)
        .whereNull('u.deleted_at')
        .whereRaw(candidates)
        .groupByRaw(key)
        .havingRaw('COUNT(*) > 1')
        .modify((qb) => (reason === 'same_email_without_tag' ? qb.havingRaw(`SUM(CASE WHEN ${NEEDS[reason]} THEN 1 ELSE 0 END) > 0`) : qb))
        .orderByRaw(key)
        .limit(limit - groups.length);
      // One query for the members of every group found, ordered so each group is a run.
      const rows: (UserRow & { dupKey: string })[] = await this.db.knex('users as u').leftJoin('ous', 'ous.id', 'u.ou_id')
        .where('u.tenant_id', tenant.id).whereNull('u.deleted_at').whereRaw(candidates)
        .whereRaw(`${key} IN ?`, [dupKeys])
        .orderByRaw(`${key}`).orderBy('u.created_at')
        .select('u.*', 'ous.path as ou_path', this.db.knex.raw(`${key} AS dup_key`));
      const byKey = new Map<string, UserRow[]>();
      for (const row of rows) byKey.set(row.dupKey, [...(byKey.get(row.dupKey) ?? []), row]);
      for (const members of byKey.values()) {
        const ids = members.map((r) => r.id).sort().join(',');
        if (seen.has(ids)) continue;
        seen.add(ids);
        groups.push({ reason, users: members.map(presentUserListItem) });
      }
    }
    return groups;
  }
}
