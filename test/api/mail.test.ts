import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import pino from 'pino';
import { createTestApp, PASSWORD, type Json, type TestApp } from '../support/test-app';
import { OutboxWorker, type MailTransport } from '../../server/mail/outbox-worker';
import { enqueueMail } from '../../server/services/outbox';

interface Received {
  to: string[];
  raw: string;
  text: string;
}

/** Undoes quoted-printable (nodemailer uses it for lines as long as a link). */
function decodeBody(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const body = raw.slice(split + 4);
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(head)) return body;
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** A real SMTP server on loopback; `reject` decides, per recipient and attempt, to refuse. */
async function startSmtp(reject: (address: string, attempt: number) => boolean = () => false) {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const n = (attempts.get(address.address) ?? 0) + 1;
      attempts.set(address.address, n);
      if (reject(address.address, n)) {
        const err = Object.assign(new Error('Mailbox temporarily unavailable'), { responseCode: 450 });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, text: decodeBody(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const tokenIn = (text: string) => {
  const m = /[?&]token=([A-Za-z0-9_%-]+)/.exec(text);
  if (!m) throw new Error(`no link in: ${text}`);
  return decodeURIComponent(m[1]);
};

const email = (tag: string) => `${tag}-${crypto.randomUUID().slice(0, 8)}@example.com`;

describe('mail delivered over SMTP', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let app: TestApp;

  beforeAll(async () => {
    // Addresses starting "flaky" are refused twice, "bounce" always.
    smtp = await startSmtp((address, attempt) => (address.startsWith('flaky') && attempt <= 2) || address.startsWith('bounce'));
    app = await createTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Roster <no-reply@roster.test>',
      MAIL_POLL_INTERVAL_MS: '25',
      MAIL_RETRY_BASE_MS: '100',
      MAIL_MAX_ATTEMPTS: '3',
    });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  const outbox = async (query: Record<string, string>) => {
    const res = await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/outbox`).query(query).set(app.rootAuth);
    expect(res.status).toBe(200);
    return res.body.data as Json[];
  };

  it('delivers the welcome mail, whose link lets the new user choose a password', async () => {
    const to = email('welcome');
    const user = await app.createUser(app.defaultTenantId, { email: to, password: undefined, send_welcome_email: true });
    const mail = await waitFor('welcome mail', () => smtp.received.find((m) => m.to.includes(to)));
    expect(mail.raw).toMatch(/^From: Roster <no-reply@roster\.test>/m);
    expect(mail.raw).toMatch(/^Subject: Your new account/m);
    expect(mail.text).toContain('An account was created for you');

    const [sent] = await waitFor('SENT', async () => {
      const rows = await outbox({ user_id: user.id, status: 'SENT' });
      return rows.length ? rows : undefined;
    });
    expect(sent).toMatchObject({ kind: 'welcome', to, attempts: 1, last_error: null, next_attempt_at: null });
    expect(Date.parse(sent.sent_at)).not.toBeNaN();

    const done = await app.http.post('/api/v1/auth/password-reset/complete').send({ token: tokenIn(mail.text), new_password: 'Welcome-chosen-1' });
    expect(done.status).toBe(200);
    await app.login(to, 'Welcome-chosen-1');
  });

  it('delivers a reset link that completes a reset once, ending the old password and sessions', async () => {
    const to = email('reset');
    const user = await app.createUser(app.defaultTenantId, { email: to });
    const session = await app.login(to);
    const reset = await app.http.post(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}/password/reset`).set(app.rootAuth).send({ method: 'EMAIL' });
    expect(reset.status).toBe(200);

    const mail = await waitFor('reset mail', () => smtp.received.find((m) => m.to.includes(to)));
    expect(mail.raw).toMatch(/^Subject: Reset your password/m);
    const token = tokenIn(mail.text);

    const done = await app.http.post('/api/v1/auth/password-reset/complete').send({ token, new_password: 'Brand-new-pass-42' });
    expect(done.status).toBe(200);
    await app.login(to, 'Brand-new-pass-42');
    const old = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: to, password: PASSWORD, tenant: 'default' });
    expect(old.status).toBe(401);
    const refreshed = await app.http.post('/api/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: session.refresh_token });
    expect(refreshed.status).toBe(401);

    const again = await app.http.post('/api/v1/auth/password-reset/complete').send({ token, new_password: 'Another-pass-43' });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 'invalid_request', field: 'token' });

    const events = await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/audit-events`).query({ action: 'user.password_reset' }).set(app.rootAuth);
    const mine = (events.body.data as Json[]).filter((e) => e.subject_id === user.id);
    expect(mine.map((e) => e.details.method)).toEqual(['LINK', 'EMAIL']);
  });

  it('retries with back-off while the server refuses, then delivers', async () => {
    const to = email('flaky');
    const user = await app.createUser(app.defaultTenantId, { email: to });
    await app.http.post(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}/password/reset`).set(app.rootAuth).send({ method: 'EMAIL' }).expect(200);

    const failing = await waitFor('first refusal', async () => (await outbox({ user_id: user.id, status: 'PENDING' })).find((m) => m.attempts === 1));
    expect(failing.last_error).toMatch(/Mailbox temporarily unavailable/);
    expect(Date.parse(failing.next_attempt_at)).toBeGreaterThan(Date.now() - 1000);

    const mail = await waitFor('delivery after retries', () => smtp.received.find((m) => m.to.includes(to)));
    expect(mail.raw).toMatch(/^Subject: Reset your password/m);
    const [sent] = await waitFor('SENT', async () => {
      const rows = await outbox({ user_id: user.id, status: 'SENT' });
      return rows.length ? rows : undefined;
    });
    expect(sent.attempts).toBe(3);
    expect(smtp.attempts.get(to)).toBe(3);
    // Back-off: 100 ms, then 200 ms, so the third attempt comes at least 300 ms after the first.
    expect(Date.parse(sent.sent_at) - Date.parse(sent.created_at)).toBeGreaterThanOrEqual(300);
  });

  it('gives up as FAILED after the bounded number of attempts', async () => {
    const to = email('bounce');
    const user = await app.createUser(app.defaultTenantId, { email: to });
    await app.http.post(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}/password/reset`).set(app.rootAuth).send({ method: 'EMAIL' }).expect(200);
    const [failed] = await waitFor('FAILED', async () => {
      const rows = await outbox({ user_id: user.id, status: 'FAILED' });
      return rows.length ? rows : undefined;
    });
    expect(failed).toMatchObject({ attempts: 3, next_attempt_at: null, sent_at: null });
    expect(failed.last_error).toMatch(/Mailbox temporarily unavailable/);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.attempts.get(to)).toBe(3);
  });
});

describe('mail without SMTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps messages PENDING and shows their links to admins and helpdesk, newest first', async () => {
    const { tenantId, slug, auth: adminAuth } = await app.tenantWithUser('tenant_admin');
    const helpdesk = await app.createUser(tenantId, { email: email('helpdesk'), role: 'helpdesk' });
    const viewer = await app.createUser(tenantId, { email: email('viewer'), role: 'viewer' });
    const plain = await app.createUser(tenantId, { email: email('plain') });
    const deskAuth = (await app.login(helpdesk.email, PASSWORD, slug)).auth;
    const viewerAuth = (await app.login(viewer.email, PASSWORD, slug)).auth;

    await app.http.post(`/api/v1/tenants/${tenantId}/users/${plain.id}/password/reset`).set(adminAuth).send({ method: 'EMAIL' }).expect(200);
    await app.http.post(`/api/v1/tenants/${tenantId}/users/${plain.id}/password/reset`).set(adminAuth).send({ method: 'EMAIL', redirect_uri: 'https://portal.example.com/reset' }).expect(200);

    const list = await app.http.get(`/api/v1/tenants/${tenantId}/outbox`).query({ user_id: plain.id, kind: 'password_reset' }).set(deskAuth);
    expect(list.status).toBe(200);
    expect(list.body.pagination).toMatchObject({ page: 1, total_items: 2 });
    const [newest, older] = list.body.data as Json[];
    expect(newest).toMatchObject({ status: 'PENDING', attempts: 0, to: plain.email, subject: 'Reset your password', sent_at: null });
    expect(newest.body_text).toContain('https://portal.example.com/reset?token=');
    expect(older.body_text).toContain('/admin/#/reset-password?token=');

    // Only the newest link works: issuing one retires the ones before it.
    const stale = await app.http.post('/api/v1/auth/password-reset/complete').send({ token: tokenIn(older.body_text), new_password: 'Phone-handed-9' });
    expect(stale.status).toBe(400);
    const weak = await app.http.post('/api/v1/auth/password-reset/complete').send({ token: tokenIn(newest.body_text), new_password: 'short' });
    expect(weak.status).toBe(422);
    const ok = await app.http.post('/api/v1/auth/password-reset/complete').send({ token: tokenIn(newest.body_text), new_password: 'Phone-handed-9' });
    expect(ok.status).toBe(200);
    // The reset ended the user's sessions; the new password opens a fresh one.
    const plainAuth = (await app.login(plain.email, 'Phone-handed-9', slug)).auth;

    const paged = await app.http.get(`/api/v1/tenants/${tenantId}/outbox`).query({ per_page: 1, page: 2, status: 'PENDING' }).set(adminAuth);
    expect(paged.status).toBe(200);
    expect(paged.body.pagination).toMatchObject({ page: 2, per_page: 1 });
    expect(paged.body.data).toHaveLength(1);

    expect((await app.http.get(`/api/v1/tenants/${tenantId}/outbox`).set(viewerAuth)).status).toBe(403);
    expect((await app.http.get(`/api/v1/tenants/${tenantId}/outbox`).set(plainAuth)).status).toBe(403);
    expect((await app.http.get(`/api/v1/tenants/${tenantId}/outbox`)).status).toBe(401);
    const bad = await app.http.get(`/api/v1/tenants/${tenantId}/outbox`).query({ status: 'LOST' }).set(adminAuth);
    expect(bad.status).toBe(422);
    const other = await app.tenantWithUser('tenant_admin');
    expect((await app.http.get(`/api/v1/tenants/${tenantId}/outbox`).set(other.auth)).status).toBe(404);
  });

  it('hides the mail of accounts that outrank the reader', async () => {
    const { tenantId, slug, user: admin } = await app.tenantWithUser('tenant_admin');
    const helpdesk = await app.createUser(tenantId, { email: email('desk'), role: 'helpdesk' });
    const deskAuth = (await app.login(helpdesk.email, PASSWORD, slug)).auth;
    await app.http.post(`/api/v1/tenants/${tenantId}/users/${admin.id}/password/reset`).set(app.rootAuth).send({ method: 'EMAIL' }).expect(200);

    const asDesk = await app.http.get(`/api/v1/tenants/${tenantId}/outbox`).query({ user_id: admin.id }).set(deskAuth);
    expect(asDesk.status).toBe(200);
    expect(asDesk.body.data).toEqual([]);
    const asRoot = await app.http.get(`/api/v1/tenants/${tenantId}/outbox`).query({ user_id: admin.id }).set(app.rootAuth);
    expect(asRoot.body.data).toHaveLength(1);
  });

  it('refuses unknown and expired reset tokens alike', async () => {
    const user = await app.createUser(app.defaultTenantId, { email: email('expiry') });
    await app.http.post(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}/password/reset`).set(app.rootAuth).send({ method: 'EMAIL' }).expect(200);
    const unknown = await app.http.post('/api/v1/auth/password-reset/complete').send({ token: 'not-a-token', new_password: 'Whatever-pass-1' });
    expect(unknown.status).toBe(400);

    const [msg] = (await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/outbox`).query({ user_id: user.id }).set(app.rootAuth)).body.data as Json[];
    await app.roster.db.knex('user_tokens').where({ userId: user.id }).update({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    const expired = await app.http.post('/api/v1/auth/password-reset/complete').send({ token: tokenIn(msg.body_text), new_password: 'Whatever-pass-1' });
    expect(expired.status).toBe(400);
    expect(expired.body.error.message).toBe(unknown.body.error.message);

    const missing = await app.http.post('/api/v1/auth/password-reset/complete').send({ token: 'x' });
    expect(missing.status).toBe(422);
  });

  it('never sends a message twice when two workers race for it', async () => {
    const { tenantId } = await app.tenantWithUser('tenant_admin');
    for (let i = 0; i < 30; i++) {
      await enqueueMail(app.roster.db.knex, { tenantId, userId: null, kind: 'welcome', to: `race-${i}@example.com`, subject: `Race ${i}`, body: 'x' });
    }
    const sent: string[] = [];
    const transport: MailTransport = {
      async sendMail(m) {
        sent.push(m.to);
        await new Promise((r) => setTimeout(r, 2));
      },
    };
    const config = { from: 'Roster <no-reply@roster.test>', pollIntervalMs: 1000, maxAttempts: 3, retryBaseMs: 100 };
    const workers = [1, 2, 3].map(() => new OutboxWorker(app.roster.db, transport, config, pino({ level: 'silent' })));
    await Promise.all(workers.map((w) => w.runOnce()));
    const mine = sent.filter((to) => to.startsWith('race-'));
    expect(mine).toHaveLength(30);
    expect(new Set(mine).size).toBe(30);
    const rows = (await app.http.get(`/api/v1/tenants/${tenantId}/outbox`).query({ status: 'SENT', per_page: 100 }).set(app.rootAuth)).body.data as Json[];
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
  });

  it('verifies an email address with a mailed link', async () => {
    const user = await app.createUser(app.defaultTenantId, { email: email('verify'), email_verified: false });
    await app.roster.db.knex('users').where({ id: user.id }).update({ status: 'PENDING_EMAIL_VERIFICATION' });

    const sent = await app.http.post(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}/email/verify`).set(app.rootAuth).send({});
    expect(sent.status).toBe(202);
    const [msg] = (await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/outbox`).query({ user_id: user.id, kind: 'email_verification' }).set(app.rootAuth)).body.data as Json[];
    expect(msg.id).toBe(sent.body.data.outbox_message_id);
    expect(msg.body_text).toContain('/admin/#/verify-email?token=');
    const token = tokenIn(msg.body_text);

    const wrongKind = await app.http.post('/api/v1/auth/password-reset/complete').send({ token, new_password: 'Whatever-pass-1' });
    expect(wrongKind.status).toBe(400);

    const ok = await app.http.post('/api/v1/auth/verify-email').send({ token });
    expect(ok.status).toBe(200);
    const after = await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}`).set(app.rootAuth);
    expect(after.body.data).toMatchObject({ email_verified: true, status: 'ACTIVE' });
    expect((await app.http.post('/api/v1/auth/verify-email').send({ token })).status).toBe(400);
    expect((await app.http.post(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}/email/verify`).set(app.rootAuth).send({})).status).toBe(409);

    const events = await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/audit-events`).query({ action: 'user.email_verified' }).set(app.rootAuth);
    expect((events.body.data as Json[]).some((e) => e.subject_id === user.id)).toBe(true);
  });

  it('a link mailed to an old address stops working when the address changes', async () => {
    const user = await app.createUser(app.defaultTenantId, { email: email('moving'), email_verified: false });
    const sent = await app.http.post(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}/email/verify`).set(app.rootAuth).send({});
    expect(sent.status).toBe(202);
    const [msg] = (await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/outbox`).query({ user_id: user.id, kind: 'email_verification' }).set(app.rootAuth)).body.data as Json[];
    const token = tokenIn(msg.body_text);
    expect((await app.http.patch(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}`).set(app.rootAuth).send({ email: email('moved') })).status).toBe(200);
    expect((await app.http.post('/api/v1/auth/verify-email').send({ token })).status).toBe(400);
    const after = await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}`).set(app.rootAuth);
    expect(after.body.data.email_verified).toBe(false);
  });

  it('lets only admins send verification links, within their rank', async () => {
    const { tenantId, slug, user: admin } = await app.tenantWithUser('tenant_admin');
    const desk = await app.createUser(tenantId, { email: email('desk2'), role: 'helpdesk' });
    const deskAuth = (await app.login(desk.email, PASSWORD, slug)).auth;
    const target = await app.createUser(tenantId, { email: email('target'), email_verified: false });
    expect((await app.http.post(`/api/v1/tenants/${tenantId}/users/${target.id}/email/verify`).set(deskAuth).send({})).status).toBe(403);
    const adminAuth = (await app.login(admin.email, PASSWORD, slug)).auth;
    expect((await app.http.post(`/api/v1/tenants/${tenantId}/users/${target.id}/email/verify`).set(adminAuth).send({})).status).toBe(202);
  });
});
