import type { Knex } from 'knex';
import { v7 as uuidv7 } from 'uuid';
import { AppError, type ValidationDetail } from '../errors/app-error';
import { nowIso } from '../models/base-model';
import type { TenantSettings } from '../../shared/schemas/tenant';
import type { PasswordHasher } from './password-hasher';

type Policy = TenantSettings['password_policy'];

const RULES: [keyof Policy, RegExp, string][] = [
  ['require_uppercase', /\p{Lu}/u, 'an upper-case letter'],
  ['require_lowercase', /\p{Ll}/u, 'a lower-case letter'],
  ['require_digit', /\p{Nd}/u, 'a digit'],
  ['require_symbol', /[^\p{L}\p{Nd}]/u, 'a symbol'],
];

/** The tenant's password rules; every rule a password breaks is named in one 422. */
export function assertPasswordPolicy(policy: Policy, password: string, loc: (string | number)[]): void {
  const problems: string[] = [];
  if ([...password].length < policy.min_length) problems.push(`at least ${policy.min_length} characters`);
  for (const [rule, pattern, text] of RULES) if (policy[rule] && !pattern.test(password)) problems.push(text);
  if (!problems.length) return;
  const msg = `The password must contain ${problems.join(', ')}`;
  const details: ValidationDetail[] = [{ loc, msg, type: 'password_policy' }];
  throw new AppError(422, 'validation_error', msg, loc.slice(1).join('.'), details);
}

/**
 * Refuses a password equal to the current one or one of the last `policy.history - 1` before it
 * (the current password counts as one of the history). Each check is a full hash verification.
 */
export async function assertNotReused(
  trx: Knex, hasher: PasswordHasher, policy: Policy, user: { id: string; passwordHash: string | null }, password: string, loc: (string | number)[],
): Promise<void> {
  if (policy.history === 0) return;
  // select, not pluck: pluck reads the raw row by the camelCase name, which the snake_case
  // mapping never produces, and every previous hash would come back undefined and be skipped.
  const previous: string[] = policy.history > 1
    ? (await trx('password_history').where({ userId: user.id }).orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(policy.history - 1).select('passwordHash'))
        .map((r: { passwordHash: string }) => r.passwordHash)
    : [];
  for (const hash of [user.passwordHash, ...previous]) {
    if (hash && (await hasher.verify(hash, password))) {
      throw new AppError(422, 'validation_error', `The password was used recently; choose one not among the last ${policy.history}`, loc.slice(1).join('.'), [
        { loc, msg: `must differ from the last ${policy.history} passwords`, type: 'password_history' },
      ]);
    }
  }
}

/** Keeps the password being replaced, for the history check; older entries beyond 24 are dropped. */
export async function rememberPassword(trx: Knex, userId: string, oldHash: string | null): Promise<void> {
  if (!oldHash) return;
  await trx('password_history').insert({ id: uuidv7(), userId, passwordHash: oldHash, createdAt: nowIso() });
  const stale = await trx('password_history').where({ userId }).orderBy('createdAt', 'desc').offset(24).pluck('id');
  if (stale.length) await trx('password_history').whereIn('id', stale).delete();
}
