import crypto from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { ApiToken } from '../models/application';
import { nowIso } from '../models/base-model';
import { conflict, notFound, validationError } from '../errors/app-error';
import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import { isUuid } from '../db/ids';
import { randomToken, sha256 } from '../auth/token-signer';
import { resolvePaging, type PagingInput } from '../queries/paging';
import { eventActorOf, recordActivity } from './activity-log';
import type { TenantService } from './tenant-service';
import { iso, json } from '../presenters/values';

/** Secrets look like `rst_<token id, hex>_<random>`: the id finds the row, the hash checks the rest. */
const TOKEN_PATTERN = /^rst_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
/** last_used_at is written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

interface TokenRow { id: string; tenantId: string; name: string; scopes: unknown; createdBy: string | null; createdAt: unknown; expiresAt: unknown; revokedAt: unknown; lastUsedAt: unknown }
const present = (t: TokenRow, token?: string) => ({
  id: t.id, tenant_id: t.tenantId, name: t.name, scopes: json<string[]>(t.scopes) ?? [], created_by: t.createdBy ?? null,
  created_at: iso(t.createdAt)!, expires_at: iso(t.expiresAt), revoked_at: iso(t.revokedAt), last_used_at: iso(t.lastUsedAt),
  ...(token ? { token } : {}),
});

const uuidToHex = (id: string) => id.replace(/-/g, '');
const hexToUuid = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;

export interface ApiTokenPrincipalRow {
  id: string;
  tenantId: string;
  scopes: string[];
  partnerId: string | null;
}

export class ApiTokenService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantService,
  ) {}

  async list(actor: Actor, tenantRef: string, q: PagingInput & { include_revoked?: boolean }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const paging = resolvePaging(q);
    const base = () => this.db.knex('api_tokens').where({ tenantId: tenant.id }).modify((qb) => (q.include_revoked ? qb : qb.whereNull('revokedAt')));
    const [{ total }] = await base().count({ total: '*' });
    const rows: TokenRow[] = await base().select('*').orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(paging.limit).offset(paging.offset);
    return { items: rows.map((r) => present(r)), page: paging.page, perPage: paging.perPage, totalItems: Number(total) };
  }

  async get(actor: Actor, tenantRef: string, id: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    return present(await this.row(tenant.id, id));
  }

  /** The token is in this answer only; the database keeps its SHA-256. */
  async create(actor: Actor, tenantRef: string, input: { name: string; scopes: string[]; expires_at?: string | null }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    if (input.expires_at && new Date(input.expires_at) <= new Date()) throw validationError(['body', 'expires_at'], 'expires_at must be in the future');
    const secret = randomToken();
    const id = uuidv7();
    await this.db.knex.transaction(async (trx) => {
      await ApiToken.query(trx).insert({
        id, tenantId: tenant.id, name: input.name, secretHash: sha256(secret), scopes: [...new Set(input.scopes)],
        createdBy: actor.principal.kind === 'user' ? actor.principal.userId : null, createdAt: nowIso(),
        expiresAt: input.expires_at ? new Date(input.expires_at).toISOString() : null,
      });
      await recordActivity(trx, { tenantId: tenant.id, action: 'api_token.created', actor: eventActorOf(actor), subjectType: 'api_token', subjectId: id, details: { name: input.name, scopes: input.scopes, expires_at: input.expires_at ?? null } });
    });
    return present(await this.row(tenant.id, id), `rst_${uuidToHex(id)}_${secret}`);
  }

  async revoke(actor: Actor, tenantRef: string, id: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const token = await this.row(tenant.id, id);
    if (token.revokedAt) throw conflict('The token is already revoked');
    await this.db.knex.transaction(async (trx) => {
      await trx('api_tokens').where({ id }).update({ revokedAt: nowIso() });
      await recordActivity(trx, { tenantId: tenant.id, action: 'api_token.revoked', actor: eventActorOf(actor), subjectType: 'api_token', subjectId: id, details: { name: token.name } });
    });
  }

  /** The live token behind a bearer secret, or nothing; constant-time on the secret. */
  async authenticate(bearer: string): Promise<ApiTokenPrincipalRow | undefined> {
    const m = TOKEN_PATTERN.exec(bearer);
    if (!m) return undefined;
    const id = hexToUuid(m[1]);
    const row = await this.db.reads.first<{ id: string; tenantId: string; secretHash: string; scopes: unknown; expiresAt: unknown; revokedAt: unknown; lastUsedAt: unknown; partnerId: string | null; tenantStatus: string }>(
      `SELECT k.id, k.tenant_id, k.secret_hash, k.scopes, k.expires_at, k.revoked_at, k.last_used_at, t.partner_id, t.status AS tenant_status
       FROM api_tokens k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = ?`, [id]);
    if (!row || row.revokedAt || row.tenantStatus !== 'ACTIVE') return undefined;
    const given = Buffer.from(sha256(m[2]), 'hex');
    if (!crypto.timingSafeEqual(given, Buffer.from(row.secretHash, 'hex'))) return undefined;
    if (row.expiresAt && new Date(row.expiresAt as string) <= new Date()) return undefined;
    if (!row.lastUsedAt || Date.now() - new Date(row.lastUsedAt as string).getTime() > LAST_USED_RESOLUTION_MS) {
      await this.db.knex('api_tokens').where({ id }).update({ lastUsedAt: nowIso() });
    }
    return { id: row.id, tenantId: row.tenantId, scopes: json<string[]>(row.scopes) ?? [], partnerId: row.partnerId };
  }

  private async row(tenantId: string, id: string): Promise<TokenRow> {
    if (!isUuid(id)) throw notFound('API token');
    const row = await this.db.knex('api_tokens').where({ tenantId, id }).first();
    if (!row) throw notFound('API token');
    return row as TokenRow;
  }
}
