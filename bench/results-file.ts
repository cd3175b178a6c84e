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
    '**Caveat:** the machine is shared with other engineers working at the same time (load average 6 to 20 on its two',
    'cores during these runs), and autocannon runs on the same two cores as the server; figures move by ±50% between runs',
    '(the bare Koa ceiling measured from 278 to 22,573 req/s over this session). Ratios against the same-run ceilings are',
    'the steadier reading. `--http-only` runs keep the INSERT ceiling and the import of the last full run, as the table says.',
  ];
  for (const r of [sqlite, pg]) {
    if (!r) continue;
    parts.push('', `## ${r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, '', describeRun(r), '', table(r), '', '### Targets', '', verdictTable(verdicts(r, r.db === 'pg' ? sqlite : undefined)));
  }
  fs.writeFileSync(file, `${parts.join('\n')}\n`);
}
