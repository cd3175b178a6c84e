import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import { iso, json } from '../presenters/values';
import { presentEvent } from './activity-service';
import { eventActorOf, recordActivity } from './activity-log';
import type { UserService } from './user-service';
import type { ApplicationService } from './application-service';

/** One-time tokens in mail bodies may still work; an export shows the message, not the key. */
const redactTokens = (text: string) => text.replace(/([?&]token=)[^\s&#]+/g, '$1[redacted]');

/**
 * GDPR right of access: everything Roster holds about one user, as one JSON document. Secrets
 * (password hashes, TOTP secrets, recovery codes, token hashes) are not personal data the user
 * gave and are never part of it. The export itself is recorded as an event.
 */
export class ExportService {
  constructor(
    private readonly db: Database,
    private readonly users: UserService,
    private readonly applications: ApplicationService,
  ) {}

  async exportUser(actor: Actor, tenantId: string, userId: string) {
    const profile = await this.users.get(actor, tenantId, userId, ['groups', 'identities', 'ou']);
    const knex = this.db.knex;
    const [applications, sessions, activity, mail] = await Promise.all([
      this.applications.forUser(profile.tenant_id, userId),
      knex('sessions').where({ userId }).orderBy('createdAt', 'desc').select('id', 'createdAt', 'lastUsedAt', 'expiresAt', 'revokedAt', 'revokedReason', 'ip', 'userAgent'),
      knex('activity_events').where({ tenantId: profile.tenant_id }).andWhere((w) => w.where({ subjectId: userId }).orWhere({ actorId: userId })).orderBy('id', 'desc').select('*'),
      knex('outbox').where({ userId }).orderBy('createdAt', 'desc').select('id', 'kind', 'toAddress', 'subject', 'bodyText', 'status', 'createdAt', 'sentAt'),
    ]);
    const document = {
      format: 'roster.user-export.v1',
      exported_at: new Date().toISOString(),
      user: profile,
      group_memberships: profile.groups ?? [],
      federated_identities: profile.identities ?? [],
      application_assignments: applications,
      sessions: sessions.map((s: Record<string, unknown>) => ({
        id: s.id, created_at: iso(s.createdAt), last_used_at: iso(s.lastUsedAt), expires_at: iso(s.expiresAt), revoked_at: iso(s.revokedAt),
        revoked_reason: s.revokedReason ?? null, ip: s.ip ?? null, user_agent: s.userAgent ?? null,
      })),
      activity: activity.map(presentEvent),
      mail: mail.map((m: Record<string, unknown>) => ({
        id: m.id, kind: m.kind, to: m.toAddress, subject: m.subject, body: redactTokens(String(m.bodyText)), status: m.status,
        created_at: iso(m.createdAt), sent_at: iso(m.sentAt),
      })),
      custom_attributes: json(profile.custom_attributes) ?? {},
    };
    await knex.transaction((trx) =>
      recordActivity(trx, { tenantId: profile.tenant_id, action: 'user.exported', actor: eventActorOf(actor), subjectType: 'user', subjectId: userId, details: { sections: Object.keys(document) } }),
    );
    return document;
  }
}
