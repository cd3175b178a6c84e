import type { Knex } from 'knex';
import { nowIso } from '../models/base-model';

/** Ends every live session of a user; their refresh tokens die with them, access tokens at the next request. */
export async function revokeUserSessions(trx: Knex, userId: string, reason: string): Promise<number> {
  return trx('sessions').where({ userId }).whereNull('revokedAt').update({ revokedAt: nowIso(), revokedReason: reason });
}
