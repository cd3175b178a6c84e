import type { Knex } from 'knex';
import { v7 as uuidv7 } from 'uuid';
import { User } from '../models/user';
import { nowIso } from '../models/base-model';
import { AppError, forbidden, notFound } from '../errors/app-error';
import { outranksOrEquals } from '../auth/permissions';
import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import { isUuid } from '../db/ids';
import { eventActorOf, recordActivity } from './activity-log';
import { revokeUserSessions } from './session-revocation';
import { searchTextOf } from './normalize';
import type { TenantService } from './tenant-service';
import { MERGEABLE_FIELDS } from '../../shared/schemas/merge';

type Field = (typeof MERGEABLE_FIELDS)[number];
type Side = 'target' | 'source';
const PROP: Record<Field, keyof User> = {
  first_name: 'firstName', last_name: 'lastName', display_name: 'displayName', phone: 'phone', locale: 'locale', timezone: 'timezone',
  avatar_url: 'avatarUrl', company: 'company', job_title: 'jobTitle', ou_id: 'ouId',
};

/** Thrown inside the transaction of a dry run, so the plan is computed by the real code and then undone. */
class DryRun extends Error {
  constructor(readonly plan: unknown) {
    super('dry run');
  }
}

/**
 * Two accounts of one person become one, in one transaction: the target takes the chosen profile
 * fields, the source's group memberships, application assignments and federated identities; the
 * source's sessions end and it is soft-deleted with `merged_into`, so its history stays reachable
 * from the target (activity lists include merged accounts' events).
 */
export class MergeService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantService,
  ) {}

  async merge(actor: Actor, tenantRef: string, input: { source_user_id: string; target_user_id: string; dry_run: boolean; prefer: Side | Partial<Record<Field, Side>> }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    try {
      return await this.db.knex.transaction(async (trx) => {
        if (this.db.dialect === 'pg') {
          // Both rows locked in id order, so two merges of the same pair in opposite directions
          // queue instead of deadlocking.
          const ids = [input.source_user_id, input.target_user_id].filter(isUuid).sort();
          await trx('users').whereIn('id', ids).orderBy('id').forUpdate().select('id');
        }
        const source = await this.load(trx, actor, tenant.id, input.source_user_id);
        const target = await this.load(trx, actor, tenant.id, input.target_user_id);
        const plan = await this.apply(trx, actor, tenant.id, source, target, input.prefer);
        if (input.dry_run) throw new DryRun({ ...plan, dry_run: true });
        return { ...plan, dry_run: false };
      });
    } catch (err) {
      if (err instanceof DryRun) return err.plan as Awaited<ReturnType<MergeService['apply']>> & { dry_run: boolean };
      throw err;
    }
  }

  private async apply(trx: Knex, actor: Actor, tenantId: string, source: User, target: User, prefer: Side | Partial<Record<Field, Side>>) {
    const now = nowIso();
    const profile: Record<string, { from: unknown; to: unknown }> = {};
    const patch: Partial<User> = {};
    for (const field of MERGEABLE_FIELDS) {
      const side = typeof prefer === 'string' ? prefer : (prefer[field] ?? 'target');
      const [winner, other] = side === 'target' ? [target, source] : [source, target];
      const value = winner[PROP[field]] ?? other[PROP[field]] ?? null;
      if (value !== (target[PROP[field]] ?? null)) {
        profile[field] = { from: target[PROP[field]] ?? null, to: value };
        (patch as Record<string, unknown>)[PROP[field]] = value;
      }
    }
    // Custom attributes: the target keeps its own; keys only the source has are added.
    const targetAttrs = (target.customAttributes ?? {}) as Record<string, unknown>;
    const added = Object.keys(source.customAttributes ?? {}).filter((k) => !(k in targetAttrs));
    if (added.length) patch.customAttributes = { ...Object.fromEntries(added.map((k) => [k, (source.customAttributes as Record<string, unknown>)[k]])), ...targetAttrs };

    const groups = await this.moveRows(trx, tenantId, 'group_members', 'groupId', source.id, target.id);
    const applications = await this.moveRows(trx, tenantId, 'application_assignments', 'applicationId', source.id, target.id);
    const identities: string[] = (await trx('user_identities').where({ userId: source.id }).select('id')).map((r: { id: string }) => r.id);
    if (identities.length) await trx('user_identities').where({ userId: source.id }).update({ userId: target.id });
    const revoked = await revokeUserSessions(trx, source.id, 'merged');

    const n = await User.query(trx)
      .patch({ ...patch, ...(Object.keys(patch).length ? { searchText: searchTextOf({ ...target, ...patch }) } : {}), version: target.version + 1 })
      .where({ id: target.id, version: target.version });
    if (n !== 1) throw new AppError(412, 'precondition_failed', 'The target was changed meanwhile; try again');
    await User.query(trx).patch({ deletedAt: now, mergedInto: target.id, version: source.version + 1 }).where({ id: source.id });

    const plan = {
      source_user_id: source.id,
      target_user_id: target.id,
      profile_changes: profile,
      custom_attributes_added: added,
      groups_moved: groups,
      applications_moved: applications,
      identities_moved: identities,
      sessions_revoked: revoked,
      source_deleted: true,
    };
    await recordActivity(trx, { tenantId, action: 'user.merged', actor: eventActorOf(actor), subjectType: 'user', subjectId: target.id, details: { ...plan } });
    await recordActivity(trx, { tenantId, action: 'user.deleted', actor: eventActorOf(actor), subjectType: 'user', subjectId: source.id, details: { merged_into: target.id, permanent: false } });
    return plan;
  }

  /** Moves the source's rows to the target, leaving out those the target already has; answers what moved. */
  private async moveRows(trx: Knex, tenantId: string, table: 'group_members' | 'application_assignments', key: 'groupId' | 'applicationId', sourceId: string, targetId: string): Promise<string[]> {
    // select + map rather than pluck: the case mappers rename columns before pluck could pick them.
    const ids = async (userId: string) => (await trx(table).where({ userId }).select(key)).map((r: Record<string, string>) => r[key]);
    const theirs = new Set(await ids(targetId));
    const moving = (await ids(sourceId)).filter((id) => !theirs.has(id));
    await trx(table).where({ userId: sourceId }).delete();
    const now = nowIso();
    const rows = moving.map((id) => ({ id: uuidv7(), tenantId, [key]: id, userId: targetId, createdAt: now }));
    for (let i = 0; i < rows.length; i += 200) await trx(table).insert(rows.slice(i, i + 200));
    return moving;
  }

  private async load(trx: Knex, actor: Actor, tenantId: string, userId: string): Promise<User> {
    // FOR UPDATE on PostgreSQL: a second merge of the same account waits, then finds it deleted.
    // (SQLite has one writer connection, so merges there run one after the other anyway.)
    const user = isUuid(userId)
      ? await User.query(trx).findOne({ id: userId, tenantId }).whereNull('deletedAt').modify((qb) => (this.db.dialect === 'pg' ? qb.forUpdate() : qb))
      : undefined;
    if (!user) throw notFound('User');
    if (!outranksOrEquals(actor.principal, user.role)) throw forbidden(`You cannot merge an account with the role ${user.role}`);
    if (user.isInternal) throw new AppError(409, 'conflict', 'Internal users cannot be merged');
    return user;
  }
}
