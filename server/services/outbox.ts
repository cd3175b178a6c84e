import type { Knex } from 'knex';
import { OutboxMessage } from '../models/outbox-message';
import { nowIso } from '../models/base-model';

export interface MailInput {
  tenantId: string;
  userId: string | null;
  kind: 'welcome' | 'password_reset' | 'email_verification';
  to: string;
  subject: string;
  body: string;
}

/** Queues a message in the same transaction as the change that causes it; delivery is separate. */
export async function enqueueMail(trx: Knex, mail: MailInput): Promise<OutboxMessage> {
  const now = nowIso();
  return OutboxMessage.query(trx).insert({
    tenantId: mail.tenantId,
    userId: mail.userId,
    kind: mail.kind,
    toAddress: mail.to,
    subject: mail.subject,
    bodyText: mail.body,
    status: 'PENDING',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  });
}
