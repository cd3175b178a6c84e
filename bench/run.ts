import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { execFileSync } from 'node:child_process';
import { startServer, type ServerProcess, type StartOptions } from '../test/support/server-process';
import { Api } from './api';
import { startPgCluster, type PgCluster } from './pg-cluster';
import { copyForRun, readSeedInfo, seed, ADMIN_PASSWORD, ROOT_EMAIL, ROOT_PASSWORD, type DbTarget, type SeedInfo } from './seed';
import { openRaw, openRawPg } from './raw-db';
import { seedUser, type BenchScope } from './data';
import { drive, type LoadOptions } from './load';
import { scenarios } from './scenarios';
import { hashCeiling, insertCeiling, koaCeiling, pkSelectCeiling } from './ceilings';
import { importFile, runImport } from './import-run';
import { machine, table, verdicts, verdictTable, type RunResults, type ScenarioResult } from './report';
import { loadResults, resultsJson, writeResultsMd } from './results-file';

const BENCH_DIR = import.meta.dirname;
const TMP = path.join(BENCH_DIR, 'tmp');

const positiveInt = (v: string) => {
  const n = Number(v.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive whole number');
  return n;
};

const program = new Command('bench')
  .description('Seeds a tenant of N users, drives the real Roster server with autocannon and prints requests/s, p50 and p99 against same-run ceilings')
  .option('--users <n>', 'users in the seeded tenant', positiveInt, 1_000_000)
  .addOption(new Command().createOption('--db <db>', 'database').choices(['sqlite', 'pg']).default('sqlite'))
  .option('--duration <s>', 'seconds per scenario', positiveInt, 5)
  .option('--connections <n>', 'concurrent connections per scenario', positiveInt, 16)
  .option('--import-rows <n>', 'rows in the bulk-import file (default: min(N, 1,000,000))', positiveInt)
  .option('--only <text>', 'run only the HTTP scenarios whose name contains this')
  .option('--cpu-prof', 'profile the server (node --cpu-prof) into bench/tmp/profiles')
  .option('--node-flags <flags>', 'extra options for the server\'s node, space-separated (to try V8 settings)')
  .option('--seed-only', 'seed (or check the seed) and stop')
  .option('--write', 'write bench/RESULTS.md')
  .option('--http-only', 'skip the INSERT ceiling and the import; keep those figures from the last run of this database and N')
  .option('--report-only', 'only write bench/RESULTS.md from the last runs of N users kept in bench/tmp')
  .parse();

const opts = program.opts<{ users: number; db: 'sqlite' | 'pg'; duration: number; connections: number; importRows?: number; only?: string; cpuProf?: boolean; nodeFlags?: string; seedOnly?: boolean; write?: boolean; reportOnly?: boolean; httpOnly?: boolean }>();
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const load: LoadOptions = { connections: opts.connections, durationS: opts.duration };

fs.mkdirSync(TMP, { recursive: true });
if (opts.reportOnly) {
  writeResultsMd(path.join(BENCH_DIR, 'RESULTS.md'), TMP, opts.users);
  log('wrote bench/RESULTS.md');
  process.exit(0);
}
let cluster: PgCluster | undefined;
let server: ServerProcess | undefined;
try {
  cluster = opts.db === 'pg' ? await startPgCluster(TMP) : undefined;
  const seedTarget = await seedTargetOf(opts.db, opts.users, cluster);
  let info = await readSeedInfo(seedTarget);
  if (info?.users !== opts.users) {
    await resetSeed(seedTarget, cluster);
    info = await seed(seedTarget, opts.users, path.join(TMP, 'seed-data'), log);
  } else log(`seed: reusing ${seedTarget.dialect === 'sqlite' ? seedTarget.location : 'database'} (${opts.users.toLocaleString('en')} users)`);
  if (!opts.seedOnly) await measure(info, seedTarget);
} finally {
  await server?.kill();
  cluster?.stop();
}

async function measure(info: SeedInfo, seedTarget: DbTarget) {
  const target = await copyForRun(seedTarget, TMP, cluster?.url('postgres'));
  const scope: BenchScope = { tenantId: info.tenantId, ouIds: info.ouIds, epochMs: info.epochMs };

  log('ceiling: bare Koa route');
  const koa = await koaCeiling(load);
  log('ceiling: raw primary-key SELECT');
  const randomId = () => seedUser(scope, Math.floor(Math.random() * info.users), info.users).id;
  const rawSelectPerSecond = await pkSelectCeiling(target, randomId, opts.connections, opts.duration);
  // Read before any server runs on the copy: the hash the login scenario verifies.
  const hash = await adminHash(target, info);

  const dataDir = path.join(TMP, `data-run-${opts.db}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const serverEnv = {
    DATABASE_URL: target.location,
    ROSTER_DATA_DIR: dataDir,
    ROSTER_ADMIN_EMAIL: ROOT_EMAIL,
    ROSTER_ADMIN_PASSWORD: ROOT_PASSWORD,
    ROSTER_HASH_THREADS: '2',
    // The login scenario measures sign-in throughput from one address, not the per-address limit.
    ROSTER_LOGIN_RATE_PER_IP: '100000000',
  };
  const nodeArgs = [
    ...(opts.nodeFlags?.split(' ').filter(Boolean) ?? []),
    ...(opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(TMP, 'profiles')}`] : []),
  ];
  // The server as production runs it: the bundle, not TypeScript compiled on the fly by tsx
  // (which holds about 70 MB more).
  log('building the server bundle');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: path.join(BENCH_DIR, '..'), stdio: 'inherit' });
  const serverOpts = { timeoutMs: 900_000, nodeArgs, bundle: true };
  server = await startServer(serverEnv, serverOpts);
  const admin = await new Api(server.url).login(info.adminEmail, ADMIN_PASSWORD, info.slug);
  const token = (await admin.call('POST', `/api/v1/tenants/${info.tenantId}/api-tokens`, { name: 'bench scim', scopes: ['scim'] }, 201)).data.token;
  // A deep cursor, taken once the slow way (OFFSET): the scenario pages on from it.
  const half = Math.max(1, Math.floor(info.users / 2 / 20));
  const deep = await admin.call('GET', `/api/v1/tenants/${info.tenantId}/users?per_page=20&page=${half}&cursor=`);
  const list = scenarios({ info, auth: admin.authorization, scimAuth: `Bearer ${token}`, deepCursor: deep.pagination.next_cursor, deepPage: half + 1 }).filter((s) => !opts.only || s.name.includes(opts.only));

  // A fresh server compiles its hot paths under the first load: the first two scenarios (a key
  // lookup and a list) warm them up, so the first rows of the table do not pay for it.
  log('warm-up');
  for (const s of scenarios({ info, auth: admin.authorization, scimAuth: '', deepCursor: '', deepPage: 0 }).slice(0, 2)) {
    await drive(server.url, s, { ...load, durationS: 3 });
  }
  const results: ScenarioResult[] = [];
  for (const s of list) {
    await settle(server.url, admin.authorization, `/api/v1/tenants/${info.tenantId}/users/${randomId()}`);
    const m = await drive(server.url, s, load);
    // And one request at a time: its own latency, without the queue 16 connections build on 2 cores.
    const alone = await drive(server.url, s, { connections: 1, durationS: Math.max(2, Math.ceil(opts.duration / 2)) });
    log(`${s.name}: ${Math.round(m.rps)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms; alone p50 ${alone.p50} ms, p99 ${alone.p99} ms`);
    results.push({ name: s.name, target: s.target, ...m, alone });
  }
  log('login');
  const login = await drive(server.url, {
    name: 'login', method: 'POST', path: '/api/v1/auth/token',
    body: () => ({ grant_type: 'password', username: info.adminEmail, password: ADMIN_PASSWORD, tenant: info.slug }),
  }, load);
  await server.stop();
  server = undefined;

  log('ceiling: argon2id alone');
  const hashPerSecond = await hashCeiling(hash, ADMIN_PASSWORD, 2, opts.duration);
  const previous = opts.httpOnly ? loadResults(TMP, opts.db, info.users) : undefined;
  if (opts.httpOnly && !previous) throw new Error('--http-only needs an earlier full run of this database and N');
  const rawInsertRows = previous?.rawInsertRows ?? Math.min(info.users, 50_000);
  if (!previous) log(`ceiling: raw batched INSERT of ${rawInsertRows.toLocaleString('en')} users`);
  const rawInsertRowsPerSecond = previous?.rawInsertRowsPerSecond ?? await insertCeiling(target, scope, rawInsertRows);
  const importRun = previous ? previous.importRun : await bulkImport(target, scope, info, serverEnv, serverOpts);

  const run: RunResults = {
    db: opts.db, users: info.users, date: new Date().toISOString(), machine: machine(), connections: opts.connections, durationS: opts.duration,
    koa, rawSelectPerSecond, rawInsertRowsPerSecond, rawInsertRows, hashPerSecond, scenarios: results, login,
    importRun: { ...importRun, measuredAt: previous ? (previous.importRun.measuredAt ?? previous.date) : undefined },
  };
  fs.writeFileSync(resultsJson(TMP, opts.db, info.users), JSON.stringify(run, null, 2));
  const sqliteRun = opts.db === 'pg' ? loadResults(TMP, 'sqlite', info.users) : undefined;
  process.stdout.write(`\n${table(run)}\n\n${verdictTable(verdicts(run, sqliteRun))}\n`);
  if (opts.write) {
    writeResultsMd(path.join(BENCH_DIR, 'RESULTS.md'), TMP, info.users);
    log('wrote bench/RESULTS.md');
  }
}

/** The bulk import of a generated file without passwords, in a fresh server process: rows/s and that process's peak RSS. */
async function bulkImport(target: DbTarget, scope: BenchScope, info: SeedInfo, serverEnv: Record<string, string>, serverOpts: StartOptions) {
  const importRows = opts.importRows ?? Math.min(info.users, 1_000_000);
  const file = await importFile(TMP, scope, importRows, opts.db);
  log(`bulk import of ${importRows.toLocaleString('en')} rows`);
  server = await startServer(serverEnv, serverOpts);
  const importer = await new Api(server.url).login(info.adminEmail, ADMIN_PASSWORD, info.slug);
  const imported = await runImport(importer, file);
  const peakRssBytes = server.memory().peak;
  await server.stop();
  server = undefined;
  return { ...imported, peakRssBytes };
}

async function seedTargetOf(db: 'sqlite' | 'pg', users: number, pg?: PgCluster): Promise<DbTarget> {
  if (db === 'sqlite') return { dialect: 'sqlite', location: path.join(TMP, `seed-${users}.sqlite`) };
  const name = `roster_bench_seed_${users}`;
  const admin = await openRawPg(pg!.url('postgres'));
  try {
    const exists = await admin.all('SELECT 1 FROM pg_database WHERE datname = ?', [name]);
    if (!exists.length) await admin.run(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  return { dialect: 'pg', location: pg!.url(name) };
}

/** An unfinished or different seed is thrown away before seeding again. */
async function resetSeed(target: DbTarget, pg?: PgCluster) {
  if (target.dialect === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(target.location + suffix, { force: true });
    return;
  }
  const name = new URL(target.location).pathname.slice(1);
  const admin = await openRawPg(pg!.url('postgres'));
  try {
    await admin.run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.run(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
}

async function adminHash(target: DbTarget, info: SeedInfo): Promise<string> {
  const db = await openRaw(target.dialect, target.location);
  try {
    const [row] = await db.all<{ password_hash: string }>('SELECT password_hash FROM users WHERE tenant_id = ? AND email_normalized = ?', [info.tenantId, info.adminEmail]);
    if (!row) throw new Error(`no user ${info.adminEmail} in ${target.location}`);
    return row.password_hash;
  } finally {
    await db.close();
  }
}

/**
 * Waits until the server has worked off what the last scenario left queued (autocannon stops
 * sending, the server goes on answering), so each scenario is measured on its own.
 */
async function settle(url: string, authorization: string, probe: string) {
  const until = Date.now() + 120_000;
  let quick = 0;
  while (quick < 3 && Date.now() < until) {
    const started = Date.now();
    await fetch(`${url}${probe}`, { headers: { authorization } }).then((r) => r.arrayBuffer());
    quick = Date.now() - started < 100 ? quick + 1 : 0;
    await new Promise((r) => setTimeout(r, 50));
  }
}
