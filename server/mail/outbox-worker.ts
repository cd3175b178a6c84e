import type { Logger } from 'pino';
import type { Database } from '../db/database';
import type { MailConfig } from '../config';
import { nowIso } from '../models/base-model';

/** What the worker needs of a mail transport (nodemailer's, or a stand-in). */
export interface MailTransport {
  sendMail(message: { from: string; to: string; subject: string; text: string; messageId?: string }): Promise<unknown>;
  close?(): void;
}

interface ClaimedRow {
  id: string;
  toAddress: string;
  subject: string;
  bodyText: string;
  attempts: number;
}

/**
 * A claimed message stays SENDING until this lease runs out; a server that died mid-send leaves
 * it SENDING, and once the lease has passed another server may claim it again. Longer than the
 * transport's own timeouts, so a slow but live send is never taken over.
 */
export const CLAIM_LEASE_MS = 5 * 60 * 1000;
const MAX_DELAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 20;

/** Back-off before attempt `attempts + 1`: base, 2×base, 4×base, … capped at a day. */
export function retryDelayMs(baseMs: number, attempts: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_DELAY_MS);
}

/**
 * Delivers due outbox messages. Any number of servers may run one against the same database:
 * a message is sent only by the server whose conditional UPDATE claimed it.
 */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private halted = false;

  constructor(
    private readonly db: Database,
    private readonly transport: MailTransport,
    private readonly config: MailConfig,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops polling and waits for the round in flight, so the database can close after it. */
  async stop(): Promise<void> {
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.transport.close?.();
  }

  private schedule(ms: number) {
    if (this.halted) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.logger.error({ err }, 'outbox delivery round failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.config.pollIntervalMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** One round: claim what is due, send it, record the outcome. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const now = nowIso();
      const due: { id: string }[] = await this.db.knex('outbox')
        .whereIn('status', ['PENDING', 'SENDING'])
        .where('nextAttemptAt', '<=', now)
        .orderBy('nextAttemptAt')
        .limit(BATCH)
        .select('id');
      if (!due.length) return attempted;
      for (const { id } of due) {
        if (this.halted) return attempted;
        const row = await this.claim(id, now);
        if (!row) continue;
        attempted += 1;
        await this.deliver(row);
      }
      if (due.length < BATCH) return attempted;
    }
  }

  private async claim(id: string, now: string): Promise<ClaimedRow | undefined> {
    const claimed = await this.db.knex('outbox')
      .where({ id })
      .whereIn('status', ['PENDING', 'SENDING'])
      .where('nextAttemptAt', '<=', now)
      .update({
        status: 'SENDING',
        attempts: this.db.knex.raw('attempts + 1'),
        nextAttemptAt: new Date(Date.now() + CLAIM_LEASE_MS).toISOString(),
      });
    if (claimed !== 1) return undefined;
    return this.db.knex('outbox').where({ id }).first('id', 'toAddress', 'subject', 'bodyText', 'attempts');
  }

  private async deliver(row: ClaimedRow) {
    try {
      await this.transport.sendMail({ from: this.config.from, to: row.toAddress, subject: row.subject, text: row.bodyText });
    } catch (err) {
      const attempts = Number(row.attempts);
      const giveUp = attempts >= this.config.maxAttempts;
      const message = err instanceof Error ? err.message : String(err);
      await this.db.knex('outbox').where({ id: row.id, status: 'SENDING' }).update({
        status: giveUp ? 'FAILED' : 'PENDING',
        lastError: message.slice(0, 2000),
        nextAttemptAt: new Date(Date.now() + (giveUp ? 0 : retryDelayMs(this.config.retryBaseMs, attempts))).toISOString(),
      });
      this.logger.warn({ outbox_id: row.id, attempts, gave_up: giveUp, error: message }, giveUp ? 'mail delivery failed for good' : 'mail delivery failed; will retry');
      return;
    }
    await this.db.knex('outbox').where({ id: row.id, status: 'SENDING' }).update({ status: 'SENT', sentAt: nowIso(), lastError: null });
    this.logger.info({ outbox_id: row.id }, 'mail sent');
  }
}
