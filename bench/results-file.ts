import fs from 'node:fs';
import path from 'node:path';
import { describeRun, table, verdicts, verdictTable, type RunResults } from './report';

export const resultsJson = (tmpDir: string, db: string, users: number) => path.join(tmpDir, `results-${db}-${users}.json`);

export function loadResults(tmpDir: string, db: string, users: number): RunResults | undefined {
  const file = resultsJson(tmpDir, db, users);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RunResults) : undefined;
}

/** bench/RESULTS.md: the last run of each database at this N, its machine, and every target met or missed. */
export function writeResultsMd(file: string, tmpDir: string, users: number): void {
  const sqlite = loadResults(tmpDir, 'sqlite', users);
  const pg = loadResults(tmpDir, 'pg', users);
  const parts = [
    '# Roster benchmark results',
    '',
    'Written by `npm run bench -- --write` (bench/run.ts). Each run seeds (or reuses) a tenant of N users, works on a fresh',
    'copy of it, starts the real server as a child process and drives it with autocannon; the ceilings (bare Koa route, raw',
    'primary-key SELECT, raw batched INSERT, argon2id alone) are measured in the same run on the same machine.',
    '',
    'Each scenario runs twice: with 16 connections (throughput, and latency with a queue in front of the server) and then',
    'with one connection (a request\'s own latency, the last column). The server is the `npm run build` bundle started as',
    '`npm run start:dist` starts it.',
    '',
    '**Caveat:** autocannon runs on the same two cores as the server, so the bare Koa ceiling is as much autocannon\'s limit',
    'as Koa\'s: on an otherwise idle machine it measured from 10,900 to 26,200 req/s between runs within two hours, and every',
    'ratio against it moves with it. Run-to-run noise on the other rows is about ±20%. `--http-only` runs keep the INSERT',
    'ceiling and the import of the last full run, as the table says.',
  ];
  for (const r of [sqlite, pg]) {
    if (!r) continue;
    parts.push('', `## ${r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, '', describeRun(r), '', table(r), '', '### Targets', '', verdictTable(verdicts(r, r.db === 'pg' ? sqlite : undefined)));
  }
  fs.writeFileSync(file, `${parts.join('\n')}\n`);
}
