import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { v7 as uuidv7 } from 'uuid';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { User } from '../models/user';
import { nowIso } from '../models/base-model';
import { conflict, notFound, validationError } from '../errors/app-error';
import { sha256 } from '../auth/token-signer';
import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import { eventActorOf, recordActivity } from './activity-log';

const ISSUER = 'Roster';
const RECOVERY_CODES = 10;
/** One step either way: a phone clock 30 s off still signs in. */
const TOLERANCE_S = 30;

/** Recovery codes are compared in one form: lower case, no dashes or spaces. */
const normalizeRecovery = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

/**
 * TOTP (RFC 6238) as authenticator apps expect it: SHA-1, 6 digits, 30 s. A code is accepted
 * once (the step it matched is remembered), and recovery codes stand in for lost phones.
 */
export class MfaService {
  constructor(private readonly db: Database) {}

  /** Starts (or restarts) enrolment for the caller; nothing changes until a code confirms it. */
  async startEnrollment(actor: Actor) {
    const user = await this.self(this.db.knex, actor);
    if (user.mfaEnabled) throw conflict('MFA is already enabled; disable it first to enrol a new authenticator');
    const secret = generateSecret({ length: 20 });
    await User.query(this.db.knex).patch({ totpPendingSecret: secret }).where({ id: user.id });
    const uri = generateURI({ issuer: ISSUER, label: user.email, secret });
    return { secret, otpauth_uri: uri, qr_code: await QRCode.toDataURL(uri) };
  }

  /** A code from the new authenticator turns MFA on and answers the recovery codes, once. */
  async confirmEnrollment(actor: Actor, code: string) {
    return this.db.knex.transaction(async (trx) => {
      const user = await this.self(trx, actor);
      if (user.mfaEnabled) throw conflict('MFA is already enabled');
      if (!user.totpPendingSecret) throw conflict('Start the enrolment first: POST /api/v1/users/me/mfa/totp');
      const epoch = await this.match(user.totpPendingSecret, code);
      if (epoch === undefined) throw validationError(['body', 'code'], 'The code does not match; check the time on the device and try the next code');
      const codes = Array.from({ length: RECOVERY_CODES }, () => crypto.randomBytes(5).toString('hex').replace(/(.{5})/, '$1-'));
      await trx('mfa_recovery_codes').where({ userId: user.id }).delete();
      await trx('mfa_recovery_codes').insert(codes.map((c) => ({ id: uuidv7(), userId: user.id, codeHash: sha256(normalizeRecovery(c)), createdAt: nowIso() })));
      await trx('users').where({ id: user.id }).update({
        mfaEnabled: true, totpSecret: user.totpPendingSecret, totpPendingSecret: null, totpLastEpoch: epoch, updatedAt: nowIso(), version: trx.raw('version + 1'),
      });
      // The session that enrolled is no longer limited to enrolling.
      if (actor.principal.kind === 'user') await trx('sessions').where({ id: actor.principal.sessionId }).update({ mfaEnrollmentOnly: false });
      await recordActivity(trx, { tenantId: user.tenantId, action: 'user.mfa_enabled', actor: eventActorOf(actor), subjectType: 'user', subjectId: user.id, details: { method: 'totp' } });
      return { recovery_codes: codes };
    });
  }

  /** The user turns MFA off with a current code or a recovery code. */
  async disableOwn(actor: Actor, code: string) {
    await this.db.knex.transaction(async (trx) => {
      const user = await this.self(trx, actor);
      if (!user.mfaEnabled) throw conflict('MFA is not enabled');
      if (!(await this.verifyAndConsume(trx, user, code))) throw validationError(['body', 'code'], 'The code does not match');
      await clearMfa(trx, user.id);
      await recordActivity(trx, { tenantId: user.tenantId, action: 'user.mfa_disabled', actor: eventActorOf(actor), subjectType: 'user', subjectId: user.id, details: { by: 'self' } });
    });
  }

  /**
   * A sign-in's second factor: a TOTP code not used before, or an unused recovery code. Whatever
   * matches is spent in the same statement that checks it, so two parallel sign-ins cannot share it.
   */
  async verifyAndConsume(trx: Knex, user: User, code: string): Promise<boolean> {
    const digits = code.trim();
    if (/^\d{6}$/.test(digits) && user.totpSecret) {
      const epoch = await this.match(user.totpSecret, digits);
      if (epoch === undefined) return false;
      const n = await trx('users').where({ id: user.id }).andWhere((w) => w.whereNull('totpLastEpoch').orWhere('totpLastEpoch', '<', epoch)).update({ totpLastEpoch: epoch });
      return n === 1;
    }
    const used = await trx('mfa_recovery_codes').where({ userId: user.id, codeHash: sha256(normalizeRecovery(digits)) }).whereNull('usedAt').update({ usedAt: nowIso() });
    return used === 1;
  }

  private async match(secret: string, code: string): Promise<number | undefined> {
    if (!/^\d{6}$/.test(code)) return undefined;
    const result = await verify({ secret, token: code, epochTolerance: TOLERANCE_S });
    // TOTP results carry the epoch of the step that matched (HOTP's, which share the type, do not).
    return result.valid && 'epoch' in result ? (result.epoch as number) : undefined;
  }

  private async self(knex: Knex, actor: Actor): Promise<User> {
    if (actor.principal.kind !== 'user') throw notFound('User');
    const user = await User.query(knex).findById(actor.principal.userId);
    if (!user) throw notFound('User');
    return user;
  }
}

/** Everything of a user's second factor goes: secret, pending secret, recovery codes. */
export async function clearMfa(trx: Knex, userId: string): Promise<void> {
  await trx('users').where({ id: userId }).update({ mfaEnabled: false, totpSecret: null, totpPendingSecret: null, totpLastEpoch: null, updatedAt: nowIso(), version: trx.raw('version + 1') });
  await trx('mfa_recovery_codes').where({ userId }).delete();
}
