import type { Knex } from 'knex';
import { enqueueMail } from './outbox';
import { issueUserToken } from './user-tokens';

export interface WelcomeRecipient {
  id: string;
  tenantId: string;
  email: string;
  username: string | null;
  displayName: string | null;
  passwordHash: string | null;
}

/**
 * The welcome message of a new account, queued in the caller's transaction: the same text for a
 * user created through the API and one created by a bulk import. A user without a password gets
 * a one-time link to choose one.
 */
export async function queueWelcomeMail(trx: Knex, publicUrl: string, user: WelcomeRecipient): Promise<void> {
  let body = `Hello ${user.displayName ?? user.email},\n\nAn account was created for you in Roster with the sign-in name ${user.username ?? user.email}.\n`;
  if (!user.passwordHash) {
    const { token, expiresAt } = await issueUserToken(trx, user.tenantId, user.id, 'password_reset');
    body += `\nChoose your password here (the link works once and expires at ${expiresAt}):\n\n${publicUrl}/admin/#/reset-password?token=${encodeURIComponent(token)}\n`;
  }
  await enqueueMail(trx, { tenantId: user.tenantId, userId: user.id, kind: 'welcome', to: user.email, subject: 'Your new account', body });
}
