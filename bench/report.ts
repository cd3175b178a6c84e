import os from 'node:os';
import type { Measured } from './load';
import type { Target } from './scenarios';

export interface ScenarioResult extends Measured {
  name: string;
  target?: Target;
  /** The same scenario with one connection: a request's own latency, with no queue in front of it. */
  alone?: Measured;
}

/** Everything one run measured, kept as JSON under bench/tmp so RESULTS.md can set SQLite and PostgreSQL side by side. */
export interface RunResults {
  db: 'sqlite' | 'pg';
  users: number;
  date: string;
  machine: Machine;
  connections: number;
  durationS: number;
  koa: Measured;
  rawSelectPerSecond: number;
  rawInsertRowsPerSecond: number;
  rawInsertRows: number;
  hashPerSecond: number;
  scenarios: ScenarioResult[];
  login: Measured;
  /** `measuredAt`: set when the import and INSERT ceiling were kept from an earlier run (--http-only). */
  importRun: { rows: number; rowsPerSecond: number; seconds: number; peakRssBytes: number; measuredAt?: string };
}

export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    ramGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

export interface Verdict {
  target: string;
  measured: string;
  met: boolean;
  /** A latency target missed under load but met by a request on its own (one connection). */
  metAlone?: boolean;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (r: number) => `${fmt(r * 100)}%`;

/** Each target of issue 8 as met or missed, from one run (and, for PostgreSQL, the SQLite run of the same N). */
export function verdicts(r: RunResults, sqlite?: RunResults): Verdict[] {
  const out: Verdict[] = [];
  for (const s of r.scenarios) {
    if (!s.target) continue;
    if (s.target.kind === 'rpsOfKoa') {
      const share = s.rps / r.koa.rps;
      out.push({ target: `${s.name}: ≥ ${pct(s.target.share)} of bare Koa req/s`, measured: `${pct(share)} (${fmt(s.rps)} of ${fmt(r.koa.rps)})`, met: share >= s.target.share });
    } else {
      const alone = s.alone ? `; 1 connection: p99 ${s.alone.p99 < 1 ? '< 1' : fmt(s.alone.p99)} ms` : '';
      out.push({
        target: `${s.name}: p99 < ${s.target.ms} ms`, measured: `${r.connections} connections: p99 ${fmt(s.p99)} ms${alone}`,
        met: s.p99 < s.target.ms, metAlone: s.alone !== undefined && s.alone.p99 < s.target.ms,
      });
    }
  }
  const importShare = r.importRun.rowsPerSecond / r.rawInsertRowsPerSecond;
  out.push({ target: 'bulk import: ≥ 50% of the raw INSERT ceiling', measured: `${pct(importShare)} (${fmt(r.importRun.rowsPerSecond)} of ${fmt(r.rawInsertRowsPerSecond)} rows/s)`, met: importShare >= 0.5 });
  const rssMb = r.importRun.peakRssBytes / 2 ** 20;
  out.push({ target: `bulk import: peak RSS < 300 MB (${fmt(r.importRun.rows)}-row file)`, measured: `${fmt(rssMb)} MB`, met: rssMb < 300 });
  const loginShare = r.login.rps / r.hashPerSecond;
  out.push({ target: 'login: ≥ 80% of the hash-alone throughput', measured: `${pct(loginShare)} (${fmt(r.login.rps)} of ${fmt(r.hashPerSecond)}/s)`, met: loginShare >= 0.8 });
  if (sqlite && r.db === 'pg') {
    // "Within 2x": at least half the throughput, and latency at most twice SQLite's.
    const slower = r.scenarios.filter((s) => {
      const base = sqlite.scenarios.find((b) => b.name === s.name);
      return base && (s.rps < base.rps / 2 || s.p99 > Math.max(2 * base.p99, base.p99 + 2));
    });
    out.push({
      target: 'PostgreSQL within 2x of SQLite (req/s ≥ ½, p99 ≤ 2× (+2 ms))',
      measured: slower.length ? `outside 2x: ${slower.map((s) => s.name).join('; ')}` : `all ${r.scenarios.length} scenarios`,
      met: slower.length === 0,
    });
  }
  return out;
}

/** The table: one line per scenario, ratios against the ceilings beside each figure. */
export function table(r: RunResults): string {
  const lines = [
    `| scenario | req/s | p50 ms | p99 ms | vs bare Koa | vs raw PK SELECT | 1 connection: p50 / p99 ms |`,
    `|---|---:|---:|---:|---:|---:|---:|`,
    `| **ceiling: bare Koa route (20-item JSON array)** | ${fmt(r.koa.rps)} | ${fmt(r.koa.p50)} | ${fmt(r.koa.p99)} | 100% | | |`,
    `| **ceiling: raw PK SELECT (${r.db === 'sqlite' ? 'sqlite3' : 'pg'} driver)** | ${fmt(r.rawSelectPerSecond)} | | | | 100% | |`,
  ];
  for (const s of r.scenarios) {
    const vsRaw = s.name === 'get user by id' ? pct(s.rps / r.rawSelectPerSecond) : '';
    // autocannon counts whole milliseconds: 0 is under one.
    const ms = (v: number) => (v < 1 ? '< 1' : fmt(v));
    const alone = s.alone ? `${ms(s.alone.p50)} / ${ms(s.alone.p99)}` : '';
    lines.push(`| ${s.name} | ${fmt(s.rps)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${pct(s.rps / r.koa.rps)} | ${vsRaw} | ${alone} |`);
  }
  lines.push(
    `| login (password grant) | ${fmt(r.login.rps)} | ${fmt(r.login.p50)} | ${fmt(r.login.p99)} | ${pct(r.login.rps / r.koa.rps)} | | |`,
    '',
    `| throughput | per second | ratio |`,
    `|---|---:|---:|`,
    `| **ceiling: raw batched INSERT into users** (${fmt(r.rawInsertRows)} rows, 500 a statement${r.importRun.measuredAt ? `; run of ${r.importRun.measuredAt}` : ''}) | ${fmt(r.rawInsertRowsPerSecond)} rows | 100% |`,
    `| bulk import, CSV without passwords (${fmt(r.importRun.rows)} rows, ${fmt(r.importRun.seconds, 1)} s, peak RSS ${fmt(r.importRun.peakRssBytes / 2 ** 20)} MB${r.importRun.measuredAt ? `; run of ${r.importRun.measuredAt}` : ''}) | ${fmt(r.importRun.rowsPerSecond)} rows | ${pct(r.importRun.rowsPerSecond / r.rawInsertRowsPerSecond)} |`,
    `| **ceiling: argon2id verify alone** (same hasher, same threads) | ${fmt(r.hashPerSecond)} | 100% |`,
    `| login (password grant) | ${fmt(r.login.rps)} | ${pct(r.login.rps / r.hashPerSecond)} |`,
  );
  return lines.join('\n');
}

export function verdictTable(v: Verdict[]): string {
  const verdict = (x: Verdict) => (x.met ? 'met' : x.metAlone ? '**missed** under load; met by a request alone' : '**missed**');
  return ['| target | measured | |', '|---|---|---|', ...v.map((x) => `| ${x.target} | ${x.measured} | ${verdict(x)} |`)].join('\n');
}

export function describeRun(r: RunResults): string {
  const m = r.machine;
  return `${r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${fmt(r.users)} users in one tenant, ${r.date}; ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, ` +
    `Node ${m.node}, ${m.os}; autocannon ${r.connections} connections × ${r.durationS} s per scenario (then 1 connection for the last column), ` +
    'in the same process as the ceilings, on the same cores as the server.';
}
