import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { z } from 'zod';
import { parse as parseCsv } from 'csv-parse';
import { v7 as uuidv7 } from 'uuid';
import { AppError, conflict, notFound } from '../errors/app-error';
import { nowIso } from '../models/base-model';
import { outranksOrEquals } from '../auth/permissions';
import { rankRole } from '../auth/principal';
import { isUuid } from '../db/ids';
import type { Database } from '../db/database';
import type { Config } from '../config';
import type { Actor } from '../http/context';
import { eventActorOf, recordActivity, type EventActor } from './activity-log';
import { normalizeEmail, normalizeUsername, searchTextOf } from './normalize';
import { assertPasswordPolicy } from './password-policy';
import { isVerifiableHash, type PasswordHasher } from './password-hasher';
import type { TenantRow, TenantService } from './tenant-service';
import { queueWelcomeMail, type WelcomeRecipient } from './welcome-mail';
import { HEARTBEAT_EVERY_MS, RUNNER_HOST, runnerIsGone } from './import-liveness';
import { UserCreate, type Role } from '../../shared/schemas/user';
import type { ImportJob } from '../../shared/schemas/import';
import { SeenKeys } from './seen-keys';

export type ImportFormat = ImportJob['format'];
export interface ImportOptions { mode: 'create' | 'upsert'; dryRun: boolean; onError: 'skip' | 'abort' }
export interface RowError { row: number; field: string | null; code: string; message: string }

const BATCH_ROWS = 500;
/** Rows per INSERT statement: 500 users x ~40 columns would pass SQLite's bound-variable limit. */
const INSERT_CHUNK = 100;
const ERRORS_SHOWN = 100;

/** One import row: UserCreate's fields, with groups by name and the OU by path instead of ids. */
const ImportRow = UserCreate.omit({ group_ids: true, ou_id: true }).extend({
  password_hash: z.string().max(512).refine(isVerifiableHash, 'must be an argon2 ($argon2id$v=19$m=...,t=...,p=...$salt$hash) or bcrypt ($2a$/$2b$/$2y$, cost 04-31, 53 characters of salt and hash) hash').nullish(),
  // Unlike a user created one at a time, an imported user is mailed only when the row asks for it.
  send_welcome_email: z.boolean().default(false),
  groups: z.array(z.string().trim().min(1).max(255)).max(1000).default([]),
  ou_path: z.string().max(2000).nullish(),
});
type ImportRow = z.infer<typeof ImportRow>;

const BOOLEAN_COLUMNS = new Set(['email_verified', 'require_password_change', 'is_internal', 'is_onboarded', 'send_welcome_email']);

/** Row fields an upsert may change -> columns (email is the match key and stays as stored). */
const UPDATABLE: Record<string, string> = {
  username: 'username', first_name: 'firstName', last_name: 'lastName', display_name: 'displayName', phone: 'phone',
  locale: 'locale', timezone: 'timezone', role: 'role', email_verified: 'emailVerified', avatar_url: 'avatarUrl',
  company: 'company', job_title: 'jobTitle', metadata: 'metadata', is_onboarded: 'isOnboarded',
  require_password_change: 'requirePasswordChange',
};
const JSON_COLUMNS = new Set(['customAttributes', 'metadata']);

interface JobRow {
  id: string; tenantId: string; actor: string | StoredActor; format: ImportFormat; mode: ImportOptions['mode']; dryRun: boolean | number;
  onError: ImportOptions['onError']; status: ImportJob['status']; uploadPath: string | null; rowsRead: number; committedRows: number;
  created: number; updated: number; skipped: number; failed: number; message: string | null;
  createdAt: unknown; startedAt: unknown; finishedAt: unknown; heartbeatAt: unknown; runnerHost: string | null; runnerPid: number | null;
}
const LIVE_STATUSES = ['running', 'queued'];
const INTERRUPTED_MESSAGE = 'The server stopped while the job ran; POST .../resume goes on from the last committed row';
interface StoredActor { event: EventActor; role: Role }

/** A record from the file: its object, or why it could not be read as one. */
type SourceRecord = { row: number; value: Record<string, unknown> } | { row: number; error: RowError };

interface Counts { rowsRead: number; committedRows: number; created: number; updated: number; skipped: number; failed: number }

class AbortImport extends Error {
  constructor(readonly rowError: RowError) { super(rowError.message); }
}
class StopImport extends Error {}
class DryRunRollback extends Error {}

/**
 * Bulk import. The upload is streamed to a file under the data dir (never held in memory), the
 * request answers 202, and the file is read back as a stream in batches of 500 rows, each in one
 * transaction with multi-row inserts. `committed_rows` advances inside each batch's transaction,
 * so after a crash the job resumes from the last committed row without duplicates.
 *
 * `on_error=abort` runs the whole job in a single transaction and rolls it back at the first bad
 * row, so nothing of an aborted job is applied (a second validation pass would have to read the
 * file twice and could still race with concurrent writes).
 */
export class ImportService {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating = false;

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly tenants: TenantService,
    private readonly hasher: PasswordHasher,
    private readonly logger?: Logger,
  ) {}

  async start(actor: Actor, tenantRef: string, format: ImportFormat, opts: ImportOptions, body: Readable): Promise<ImportJob> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const id = uuidv7();
    const dir = path.join(this.config.dataDir, 'imports');
    fs.mkdirSync(dir, { recursive: true });
    const uploadPath = path.join(dir, `${id}.upload`);
    try {
      await pipeline(body, byteLimit(this.config.importMaxBytes), fs.createWriteStream(uploadPath));
    } catch (err) {
      fs.rmSync(uploadPath, { force: true });
      throw err;
    }
    const stored: StoredActor = { event: eventActorOf(actor), role: rankRole(actor.principal) };
    await this.db.knex('importJobs').insert({
      id, tenantId: tenant.id, actor: JSON.stringify(stored), format, mode: opts.mode, dryRun: opts.dryRun, onError: opts.onError,
      status: 'queued', uploadPath, createdAt: nowIso(), ...this.runnerColumns(),
    });
    await recordActivity(this.db.knex, {
      tenantId: tenant.id, action: 'import.started', actor: stored.event, subjectType: 'tenant', subjectId: tenant.id,
      details: { import_job_id: id, format, mode: opts.mode, dry_run: opts.dryRun, on_error: opts.onError },
    });
    this.launch(id);
    return this.view(await this.load(tenant.id, id));
  }

  async get(actor: Actor, tenantRef: string, id: string): Promise<ImportJob> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    return this.view(await this.interruptIfOrphaned(await this.load(tenant.id, id)));
  }

  async resume(actor: Actor, tenantRef: string, id: string): Promise<ImportJob> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const job = await this.interruptIfOrphaned(await this.load(tenant.id, id));
    if (job.status !== 'interrupted' || this.running.has(id)) throw conflict(`Only an interrupted job can be resumed; this one is ${job.status}`, 'status');
    if (!job.uploadPath || !fs.existsSync(job.uploadPath)) throw conflict('The uploaded file of this job is gone; import it again');
    // Conditional on `interrupted`: of two servers resuming the same job at once, one wins.
    const claimed = await this.db.knex('importJobs').where({ id, status: 'interrupted' })
      .update({ status: 'queued', finishedAt: null, message: null, ...this.runnerColumns() });
    if (claimed !== 1) throw conflict('Another request resumed this job first', 'status');
    this.launch(id);
    return this.view(await this.load(tenant.id, id));
  }

  /** Every error of a job, as CSV lines, read from the database a page at a time. */
  async *errorsCsv(actor: Actor, tenantRef: string, id: string): AsyncGenerator<string> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.load(tenant.id, id);
    yield 'row,field,code,message\r\n';
    let after = 0;
    for (;;) {
      const page: (RowError & { seq: number })[] = await this.db.knex('importJobErrors').where({ jobId: id }).where('seq', '>', after).orderBy('seq').limit(1000);
      if (!page.length) return;
      yield page.map((e) => [String(e.row), e.field ?? '', e.code, e.message].map(csvCell).join(',')).join('\r\n') + '\r\n';
      after = page[page.length - 1].seq;
    }
  }

  /**
   * At start-up: jobs left running or queued by a process that died are interrupted, resumable.
   * Jobs that another live server runs on the same database are left alone.
   */
  async recoverInterrupted(): Promise<number> {
    const live: JobRow[] = await this.db.knex('importJobs').whereIn('status', LIVE_STATUSES);
    let interrupted = 0;
    for (const job of live) if ((await this.interruptIfOrphaned(job)).status === 'interrupted') interrupted++;
    return interrupted;
  }

  /** Stops running jobs between batches (they become interrupted) and waits for them. */
  async close(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
    this.stopping = false;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private runnerColumns() {
    return { heartbeatAt: nowIso(), runnerHost: RUNNER_HOST, runnerPid: process.pid };
  }

  /**
   * A running or queued job that no server runs any more becomes `interrupted`. The update is
   * conditional on the runner and heartbeat seen, so a job another server resumed meanwhile stays.
   */
  private async interruptIfOrphaned(job: JobRow): Promise<JobRow> {
    if (!LIVE_STATUSES.includes(job.status) || this.running.has(job.id) || !runnerIsGone(job)) return job;
    const seen = job.heartbeatAt ? new Date(job.heartbeatAt as string).toISOString() : null;
    const changed = await this.db.knex('importJobs').where({ id: job.id }).whereIn('status', LIVE_STATUSES)
      .where((q) => (job.runnerPid === null ? q.whereNull('runnerPid') : q.where('runnerPid', job.runnerPid)))
      .where((q) => (seen === null ? q.whereNull('heartbeatAt') : q.where('heartbeatAt', '<=', seen)))
      .update({ status: 'interrupted', message: INTERRUPTED_MESSAGE });
    if (changed) this.logger?.warn({ importJobId: job.id, runnerPid: job.runnerPid }, 'import job interrupted: its server is gone');
    return this.db.knex('importJobs').where({ id: job.id }).first();
  }

  private launch(id: string) {
    const done = this.run(id)
      .catch((err: unknown) => this.logger?.error({ err, importJobId: id }, 'import job crashed'))
      .finally(() => {
        this.running.delete(id);
        if (!this.running.size) {
          clearInterval(this.heartbeat);
          this.heartbeat = undefined;
        }
      });
    this.running.set(id, done);
    // Besides each committed batch, a timer shows the jobs alive while a batch takes long (or an
    // on_error=abort job holds one transaction open).
    this.heartbeat ??= setInterval(() => void this.beat(), HEARTBEAT_EVERY_MS).unref();
  }

  private async beat() {
    if (this.beating || !this.running.size) return;
    this.beating = true;
    try {
      await this.db.knex('importJobs').whereIn('id', [...this.running.keys()]).whereIn('status', LIVE_STATUSES).update({ heartbeatAt: nowIso() });
    } catch (err) {
      this.logger?.warn({ err }, 'import heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  private async load(tenantId: string, id: string): Promise<JobRow> {
    if (!isUuid(id)) throw notFound('Import job');
    const job: JobRow | undefined = await this.db.knex('importJobs').where({ id, tenantId }).first();
    if (!job) throw notFound('Import job');
    return job;
  }

  private async view(job: JobRow): Promise<ImportJob> {
    const errors: RowError[] = await this.db.knex('importJobErrors').where({ jobId: job.id }).orderBy('seq').limit(ERRORS_SHOWN + 1).select('row', 'field', 'code', 'message');
    const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
    return {
      id: job.id, tenant_id: job.tenantId, status: job.status, format: job.format, mode: job.mode, dry_run: Boolean(job.dryRun), on_error: job.onError,
      rows_read: Number(job.rowsRead), committed_rows: Number(job.committedRows), created: Number(job.created), updated: Number(job.updated),
      skipped: Number(job.skipped), failed: Number(job.failed), message: job.message,
      errors: errors.slice(0, ERRORS_SHOWN).map((e) => ({ row: Number(e.row), field: e.field, code: e.code, message: e.message })),
      errors_truncated: errors.length > ERRORS_SHOWN,
      created_at: iso(job.createdAt)!, started_at: iso(job.startedAt), finished_at: iso(job.finishedAt),
    };
  }

  private async run(id: string): Promise<void> {
    const job: JobRow = await this.db.knex('importJobs').where({ id }).first();
    if (!job || job.status !== 'queued' || !job.uploadPath) return;
    const tenant = await this.tenants.find(job.tenantId);
    if (!tenant) return;
    const actor: StoredActor = typeof job.actor === 'string' ? JSON.parse(job.actor) : job.actor;
    const opts: ImportOptions = { mode: job.mode, dryRun: Boolean(job.dryRun), onError: job.onError };
    const abort = opts.onError === 'abort';
    const resumeAfter = abort ? 0 : Number(job.committedRows);
    const counts: Counts = abort
      ? { rowsRead: 0, committedRows: 0, created: 0, updated: 0, skipped: 0, failed: 0 }
      : { rowsRead: resumeAfter, committedRows: resumeAfter, created: Number(job.created), updated: Number(job.updated), skipped: Number(job.skipped), failed: Number(job.failed) };
    await this.db.knex('importJobs').where({ id }).update({ status: 'running', startedAt: job.startedAt ?? nowIso(), ...countColumns(counts), ...this.runnerColumns() });

    const batcher = new BatchWriter(this.hasher, this.config.publicUrl, tenant, actor, id, opts);
    let status: ImportJob['status'] = 'completed';
    let message: string | null = null;
    let abortError: RowError | undefined;

    const each = async (trx: Knex | undefined) => {
      let batch: SourceRecord[] = [];
      const flush = async () => {
        if (!batch.length) return;
        const rows = batch;
        batch = [];
        if (trx) {
          await batcher.write(trx, rows, counts);
        } else {
          await this.db.knex.transaction(async (t) => {
            await batcher.write(t, rows, counts);
            await t('importJobs').where({ id }).update({ ...countColumns(counts), heartbeatAt: nowIso() });
            if (opts.dryRun) throw new DryRunRollback();
          }).catch((err: unknown) => {
            if (!(err instanceof DryRunRollback)) throw err;
          });
          // A dry run keeps its (rolled back) batch's counts and row errors all the same.
          if (opts.dryRun) {
            await batcher.saveDryRunErrors(this.db.knex);
            await this.db.knex('importJobs').where({ id }).update({ ...countColumns(counts), heartbeatAt: nowIso() });
          }
        }
        if (this.stopping) throw new StopImport();
      };
      for await (const record of readRecords(job.format, job.uploadPath!)) {
        if (record.row <= resumeAfter) {
          batcher.remember(record);
          continue;
        }
        batch.push(record);
        if (batch.length >= BATCH_ROWS) await flush();
      }
      await flush();
    };

    try {
      if (abort) {
        await this.db.knex.transaction(async (trx) => {
          await each(trx);
          if (opts.dryRun) throw new DryRunRollback();
        }).catch((err: unknown) => {
          if (!(err instanceof DryRunRollback)) throw err;
        });
        await this.db.knex('importJobs').where({ id }).update(countColumns(counts));
      } else {
        await each(undefined);
      }
    } catch (err) {
      if (err instanceof AbortImport) {
        abortError = err.rowError;
        status = 'aborted';
        message = `Row ${err.rowError.row}: ${err.rowError.message}; nothing of this job was applied`;
      } else if (err instanceof StopImport) {
        status = 'interrupted';
        message = INTERRUPTED_MESSAGE;
      } else {
        status = 'failed';
        message = err instanceof Error ? err.message : String(err);
        this.logger?.warn({ err, importJobId: id }, 'import job failed');
      }
    }

    if (status === 'aborted') {
      await this.db.knex.transaction(async (trx) => {
        await trx('importJobErrors').insert({ jobId: id, ...abortError });
        await trx('importJobs').where({ id }).update({ ...countColumns({ ...counts, created: 0, updated: 0, skipped: 0, failed: 1, committedRows: 0 }) });
      });
    }
    if (status === 'interrupted' && abort) {
      await this.db.knex('importJobs').where({ id }).update(countColumns({ rowsRead: 0, committedRows: 0, created: 0, updated: 0, skipped: 0, failed: 0 }));
    }
    await this.db.knex('importJobs').where({ id }).update({ status, message, finishedAt: status === 'interrupted' ? null : nowIso() });
    if (status !== 'interrupted') {
      const final: JobRow = await this.db.knex('importJobs').where({ id }).first();
      await recordActivity(this.db.knex, {
        tenantId: tenant.id, action: 'import.completed', actor: actor.event, subjectType: 'tenant', subjectId: tenant.id,
        details: {
          import_job_id: id, status, dry_run: opts.dryRun, rows_read: Number(final.rowsRead), created: Number(final.created),
          updated: Number(final.updated), skipped: Number(final.skipped), failed: Number(final.failed),
        },
      });
      fs.rmSync(job.uploadPath, { force: true });
    }
  }
}

const countColumns = (c: Counts) => ({
  rowsRead: c.rowsRead, committedRows: c.committedRows, created: c.created, updated: c.updated, skipped: c.skipped, failed: c.failed,
});

/** Validates, resolves and writes one batch inside the caller's transaction. */
class BatchWriter {
  /** Every email and username of the file so far, in 8 bytes each: a file of millions stays small. */
  private readonly seenEmails = new SeenKeys();
  private readonly seenUsernames = new SeenKeys();
  private readonly ous = new Map<string, string | null>();
  private readonly groups = new Map<string, string | null>();
  /** `user:group` pairs of users an upsert matched, so only new memberships are reported. */
  private readonly memberOf = new Set<string>();
  /** A dry run's row errors, kept out of the batch's transaction, which is rolled back. */
  private dryRunErrors: RowError[] = [];

  constructor(
    private readonly hasher: PasswordHasher,
    private readonly publicUrl: string,
    private readonly tenant: TenantRow,
    private readonly actor: StoredActor,
    private readonly jobId: string,
    private readonly opts: ImportOptions,
  ) {}

  /** Stores the row errors a dry run found since the last call: what the dry run is for. */
  async saveDryRunErrors(knex: Knex): Promise<void> {
    const errors = this.dryRunErrors;
    this.dryRunErrors = [];
    for (const part of chunks(errors, 500)) await knex('importJobErrors').insert(part.map((e) => ({ jobId: this.jobId, ...e })));
  }

  /** A row committed before a resume still claims its email and username within the file. */
  remember(record: SourceRecord) {
    if (!('value' in record)) return;
    const { email, username } = record.value;
    if (typeof email === 'string') this.seenEmails.add(normalizeEmail(email));
    if (typeof username === 'string' && username) this.seenUsernames.add(normalizeUsername(username));
  }

  async write(trx: Knex, records: SourceRecord[], counts: Counts): Promise<void> {
    const errors: RowError[] = [];
    const fail = (e: RowError) => {
      if (this.opts.onError === 'abort') throw new AbortImport(e);
      errors.push(e);
    };
    type Candidate = { row: number; input: ImportRow; present: Set<string>; email: string; username: string | null; hash?: string | null };
    const candidates: Candidate[] = [];

    for (const record of records) {
      if ('error' in record) { fail(record.error); continue; }
      const parsed = ImportRow.safeParse(record.value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue.code === 'unrecognized_keys' ? issue.keys.join(',') : issue.path.join('.') || null;
        fail({ row: record.row, field, code: issue.code === 'unrecognized_keys' ? 'unknown_field' : 'invalid', message: issue.message });
        continue;
      }
      const input = parsed.data;
      if (!outranksOrEquals(this.actor.role, input.role)) {
        fail({ row: record.row, field: 'role', code: 'forbidden_role', message: `A ${this.actor.role} cannot grant the role ${input.role}` });
        continue;
      }
      if (input.password && input.password_hash) {
        fail({ row: record.row, field: 'password', code: 'invalid', message: 'Give password or password_hash, not both' });
        continue;
      }
      if (input.password) {
        try {
          assertPasswordPolicy(this.tenant.settings.password_policy, input.password, ['row', 'password']);
        } catch (err) {
          fail({ row: record.row, field: 'password', code: 'password_policy', message: (err as Error).message });
          continue;
        }
      }
      const email = normalizeEmail(input.email);
      const username = input.username ? normalizeUsername(input.username) : null;
      if (this.seenEmails.has(email)) {
        fail({ row: record.row, field: 'email', code: 'duplicate_in_file', message: 'An earlier row of this file has the same email' });
        continue;
      }
      if (username && this.seenUsernames.has(username)) {
        fail({ row: record.row, field: 'username', code: 'duplicate_in_file', message: 'An earlier row of this file has the same username' });
        continue;
      }
      this.seenEmails.add(email);
      if (username) this.seenUsernames.add(username);
      candidates.push({ row: record.row, input, present: new Set(Object.keys(record.value)), email, username });
    }

    await this.resolveNames(trx, candidates.map((c) => c.input));
    const existingByEmail = new Map<string, Record<string, unknown>>();
    const ownerOfUsername = new Map<string, string>();
    const emails = candidates.map((c) => c.email);
    const usernames = candidates.flatMap((c) => (c.username ? [c.username] : []));
    for (const part of chunks(emails, 500)) {
      const found: Record<string, unknown>[] = await trx('users').where({ tenantId: this.tenant.id }).whereNull('deletedAt').whereIn('emailNormalized', part);
      for (const u of found) existingByEmail.set(u.emailNormalized as string, u);
    }
    for (const part of chunks(usernames, 500)) {
      const found: { id: string; usernameNormalized: string }[] = await trx('users').where({ tenantId: this.tenant.id }).whereNull('deletedAt').whereIn('usernameNormalized', part).select('id', 'usernameNormalized');
      for (const u of found) ownerOfUsername.set(u.usernameNormalized, u.id);
    }

    const now = nowIso();
    const inserts: Record<string, unknown>[] = [];
    const memberships: Record<string, unknown>[] = [];
    const events: Record<string, unknown>[] = [];
    const accepted: Candidate[] = [];
    const welcome: WelcomeRecipient[] = [];
    for (const c of candidates) {
      const existing = existingByEmail.get(c.email);
      if (existing && this.opts.mode === 'create') {
        fail({ row: c.row, field: 'email', code: 'duplicate_email', message: 'A user with this email already exists' });
        continue;
      }
      if (c.username && ownerOfUsername.has(c.username) && ownerOfUsername.get(c.username) !== existing?.id) {
        fail({ row: c.row, field: 'username', code: 'duplicate_username', message: 'A user with this username already exists' });
        continue;
      }
      if (existing && !outranksOrEquals(this.actor.role, existing.role as Role)) {
        fail({ row: c.row, field: 'email', code: 'forbidden', message: `A ${this.actor.role} cannot change a ${existing.role as string}` });
        continue;
      }
      const ouPath = c.input.ou_path ?? null;
      if (ouPath && !this.ous.get(ouPath)) {
        fail({ row: c.row, field: 'ou_path', code: 'unknown_ou', message: `No organisational unit with the path ${ouPath} in the tenant` });
        continue;
      }
      const missing = c.input.groups.filter((g) => !this.groups.get(normalizeGroup(g)));
      if (missing.length) {
        fail({ row: c.row, field: 'groups', code: 'unknown_group', message: `No group named ${missing.join(', ')} in the tenant` });
        continue;
      }
      accepted.push(c);
    }

    // Hashing runs on the worker pool, the whole batch at once, and only for rows that will be written.
    if (!this.opts.dryRun) {
      await Promise.all(accepted.map(async (c) => {
        c.hash = c.input.password ? await this.hasher.hash(c.input.password) : (c.input.password_hash ?? null);
      }));
    }

    const eventBase = {
      tenantId: this.tenant.id, actorType: this.actor.event.type, actorId: this.actor.event.id, subjectType: 'user',
      ip: this.actor.event.ip, requestId: this.actor.event.requestId, createdAt: now,
    };
    for (const c of accepted) {
      const existing = existingByEmail.get(c.email);
      const groupIds = [...new Set(c.input.groups.map((g) => this.groups.get(normalizeGroup(g))!))];
      const ouId = c.input.ou_path ? this.ous.get(c.input.ou_path)! : null;
      const { password: _p, password_hash: _h, send_welcome_email: _w, ...recorded } = c.input;
      if (!existing) {
        const id = uuidv7();
        const i = c.input;
        const fields = {
          id, tenantId: this.tenant.id, email: i.email, emailNormalized: c.email, emailVerified: i.email_verified,
          username: i.username ?? null, usernameNormalized: c.username, firstName: i.first_name ?? null, lastName: i.last_name ?? null,
          displayName: i.display_name ?? ([i.first_name, i.last_name].filter(Boolean).join(' ').trim() || null),
          phone: i.phone ?? null, locale: i.locale ?? this.tenant.settings.defaults.locale, timezone: i.timezone ?? this.tenant.settings.defaults.timezone,
          avatarUrl: i.avatar_url ?? null, company: i.company ?? null, jobTitle: i.job_title ?? null, ouId, status: 'ACTIVE',
          identitySource: i.identity_source, mfaEnabled: false, customAttributes: JSON.stringify(i.custom_attributes ?? {}),
          metadata: JSON.stringify(i.metadata ?? {}), role: i.role, isInternal: i.is_internal, isOnboarded: i.is_onboarded,
          passwordExpired: false, requirePasswordChange: i.require_password_change, passwordHash: c.hash ?? null,
          passwordChangedAt: c.hash ? now : null, failedLoginCount: 0, version: 1, createdAt: now, updatedAt: now,
        };
        inserts.push({ ...fields, searchText: searchTextOf(fields) });
        if (i.send_welcome_email && !this.opts.dryRun) welcome.push(fields);
        for (const groupId of groupIds) memberships.push({ id: uuidv7(), tenantId: this.tenant.id, groupId, userId: id, createdAt: now });
        events.push({ ...eventBase, id: uuidv7(), action: 'user.created', subjectId: id,
          details: JSON.stringify({ ...recorded, password_set: Boolean(c.hash ?? c.input.password ?? c.input.password_hash), import_job_id: this.jobId }) });
        counts.created++;
        continue;
      }

      const patch: Record<string, unknown> = {};
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const change = (field: string, column: string, to: unknown) => {
        let from = existing[column] ?? null;
        if (JSON_COLUMNS.has(column) && typeof from === 'string') from = JSON.parse(from);
        if (JSON.stringify(from) === JSON.stringify(to) || (typeof from === 'number' && typeof to === 'boolean' && Boolean(from) === to)) return;
        patch[column] = JSON_COLUMNS.has(column) ? JSON.stringify(to) : to;
        changes[field] = { from, to };
      };
      for (const [field, column] of Object.entries(UPDATABLE)) {
        if (c.present.has(field)) change(field, column, (c.input as Record<string, unknown>)[field] ?? null);
      }
      if (c.input.custom_attributes) {
        // custom.* columns set the attributes they name and keep the others.
        const current = typeof existing.customAttributes === 'string' ? JSON.parse(existing.customAttributes) : (existing.customAttributes ?? {});
        change('custom_attributes', 'customAttributes', { ...current, ...c.input.custom_attributes });
      }
      if (ouId) change('ou_id', 'ouId', ouId);
      if (c.hash) {
        patch.passwordHash = c.hash;
        patch.passwordChangedAt = now;
        changes.password = { from: '(hidden)', to: '(hidden)' };
      }
      if (patch.username !== undefined) patch.usernameNormalized = c.username;
      const newGroups = groupIds.length
        ? groupIds.filter((g) => !this.memberOf.has(`${existing.id as string}:${g}`))
        : [];
      for (const groupId of newGroups) memberships.push({ id: uuidv7(), tenantId: this.tenant.id, groupId, userId: existing.id, createdAt: now });
      if (newGroups.length) changes.groups = { from: null, to: newGroups };
      if (!Object.keys(changes).length) {
        counts.skipped++;
        continue;
      }
      if (Object.keys(patch).length) {
        const merged = { ...existing, ...patch } as { email: string; username: string | null; firstName: string | null; lastName: string | null; displayName: string | null };
        await trx('users').where({ id: existing.id }).update({ ...patch, searchText: searchTextOf(merged), version: Number(existing.version) + 1, updatedAt: now });
      }
      events.push({ ...eventBase, id: uuidv7(), action: 'user.updated', subjectId: existing.id, details: JSON.stringify({ changes, import_job_id: this.jobId }) });
      counts.updated++;
    }

    for (const part of chunks(inserts, INSERT_CHUNK)) await trx('users').insert(part);
    // In the batch's transaction: a mail is queued for exactly the users this batch commits.
    for (const user of welcome) await queueWelcomeMail(trx, this.publicUrl, user);
    for (const part of chunks(memberships, 500)) await trx('groupMembers').insert(part).onConflict(['groupId', 'userId']).ignore();
    for (const part of chunks(events, 500)) await trx('activityEvents').insert(part);
    if (this.opts.dryRun) this.dryRunErrors.push(...errors);
    else for (const part of chunks(errors, 500)) await trx('importJobErrors').insert(part.map((e) => ({ jobId: this.jobId, ...e })));
    counts.failed += errors.length;
    counts.rowsRead += records.length;
    counts.committedRows = counts.rowsRead;
  }

  private async resolveNames(trx: Knex, inputs: ImportRow[]) {
    const paths = [...new Set(inputs.flatMap((i) => (i.ou_path ? [i.ou_path] : [])))].filter((p) => !this.ous.has(p));
    for (const part of chunks(paths, 500)) {
      const found: { id: string; path: string }[] = await trx('ous').where({ tenantId: this.tenant.id }).whereIn('path', part).select('id', 'path');
      const byPath = new Map(found.map((o) => [o.path, o.id]));
      for (const p of part) this.ous.set(p, byPath.get(p) ?? null);
    }
    const names = [...new Set(inputs.flatMap((i) => i.groups.map(normalizeGroup)))].filter((n) => !this.groups.has(n));
    for (const part of chunks(names, 500)) {
      const found: { id: string; nameNormalized: string }[] = await trx('groups').where({ tenantId: this.tenant.id }).whereIn('nameNormalized', part).select('id', 'nameNormalized');
      const byName = new Map(found.map((g) => [g.nameNormalized, g.id]));
      for (const n of part) this.groups.set(n, byName.get(n) ?? null);
    }
    if (this.opts.mode === 'upsert') {
      const emails = inputs.filter((i) => i.groups.length).map((i) => normalizeEmail(i.email));
      for (const part of chunks(emails, 500)) {
        const rows: { userId: string; groupId: string }[] = await trx('groupMembers').join('users', 'users.id', 'groupMembers.userId')
          .where('users.tenantId', this.tenant.id).whereNull('users.deletedAt').whereIn('users.emailNormalized', part).select('groupMembers.userId', 'groupMembers.groupId');
        for (const r of rows) this.memberOf.add(`${r.userId}:${r.groupId}`);
      }
    }
  }
}

/** As GroupService stores group names for uniqueness. */
const normalizeGroup = (name: string) => name.trim().normalize('NFKC').toLowerCase();

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** A CSV cell, quoted when needed; formulas are neutralised so a spreadsheet shows them as text. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The file's records, one at a time, in the upload's format. */
async function* readRecords(format: ImportFormat, file: string): AsyncGenerator<SourceRecord> {
  if (format === 'csv') yield* readCsv(file);
  else if (format === 'ndjson') yield* readNdjson(file);
  else yield* readJsonArray(file);
}

async function* readCsv(file: string): AsyncGenerator<SourceRecord> {
  const parser = fs.createReadStream(file).pipe(parseCsv({ bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true }));
  let header: string[] | undefined;
  let row = 0;
  for await (const values of parser as AsyncIterable<string[]>) {
    if (!header) {
      header = values.map((h) => h.trim());
      continue;
    }
    row++;
    if (values.length !== header.length) {
      yield { row, error: { row, field: null, code: 'column_count', message: `Expected ${header.length} columns, found ${values.length}` } };
      continue;
    }
    const value: Record<string, unknown> = {};
    // A column with a blank header is left out: that is how the admin app's wizard ignores one.
    for (let i = 0; i < header.length; i++) if (values[i] !== '' && header[i] !== '') value[header[i]] = values[i];
    yield { row, value: fromFlat(value, true) };
  }
}

async function* readNdjson(file: string): AsyncGenerator<SourceRecord> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let row = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    row++;
    yield parseElement(row, line);
  }
}

/** Splits a top-level JSON array into its elements without holding more than one element. */
async function* readJsonArray(file: string): AsyncGenerator<SourceRecord> {
  let started = false;
  let ended = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  let row = 0;
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>) {
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (!started) {
        if (ch === '[') { started = true; from = i + 1; } else if (!/\s/.test(ch) && ch !== '\uFEFF') throw new Error('A JSON import must be an array of user objects');
        continue;
      }
      if (ended) {
        if (!/\s/.test(ch)) throw new Error('Unexpected text after the JSON array');
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if ((ch === '}' || ch === ']') && depth > 0) depth--;
      else if (depth === 0 && (ch === ',' || ch === ']')) {
        current += chunk.slice(from, i);
        from = i + 1;
        const text = current.trim();
        current = '';
        if (text || ch === ',') {
          row++;
          yield parseElement(row, text);
        }
        if (ch === ']') ended = true;
      }
    }
    if (started && !ended) current += chunk.slice(from);
  }
  if (!ended) throw new Error('The JSON array is not closed');
}

function parseElement(row: number, text: string): SourceRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { row, error: { row, field: null, code: 'invalid_json', message: (err as Error).message } };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { row, error: { row, field: null, code: 'invalid_json', message: 'Each record must be a JSON object' } };
  return { row, value: fromFlat(value as Record<string, unknown>, false) };
}

/** CSV cells (and flat JSON keys) into UserCreate's shape: custom.*, groups, booleans. */
function fromFlat(flat: Record<string, unknown>, fromCsv: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let custom: Record<string, unknown> | undefined;
  for (const [key, v] of Object.entries(flat)) {
    if (key.startsWith('custom.')) {
      (custom ??= {})[key.slice(7)] = v;
    } else if (key === 'groups' && typeof v === 'string') {
      out.groups = v.split(';').map((g) => g.trim()).filter(Boolean);
    } else if (fromCsv && BOOLEAN_COLUMNS.has(key) && typeof v === 'string' && /^(true|false)$/i.test(v.trim())) {
      out[key] = v.trim().toLowerCase() === 'true';
    } else {
      out[key] = v;
    }
  }
  if (custom) out.custom_attributes = { ...((out.custom_attributes as Record<string, unknown> | undefined) ?? {}), ...custom };
  return out;
}

/** Refuses an upload past `max` bytes with a 413, as it streams (nothing is buffered). */
function byteLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(new AppError(413, 'payload_too_large', `The import is larger than ${max} bytes`));
      else done(null, chunk);
    },
  });
}
