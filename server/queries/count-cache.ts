import type { Knex } from 'knex';

/**
 * Totals of list queries (`total_items`), kept a few seconds per exact SQL and bindings. A page
 * of 20 rows costs the same at any tenant size, but its total visits every matching row: at a
 * million users that is tens of milliseconds per request, for a number that rarely changes
 * between two requests. So a total is counted once and reused while nothing was written:
 *
 * - any INSERT, UPDATE or DELETE through this process's Knex, and any COMMIT or ROLLBACK, starts
 *   a new generation, and a total counted in an older generation (or while a write ran) is never
 *   served, so a server always counts its own writes at once;
 * - writes made by another server on the same database show within TTL_MS.
 */
const TTL_MS = 5_000;
const MAX_ENTRIES = 2_000;
const WRITE = /^\s*(insert|update|delete|replace|commit|rollback|release|with\b[\s\S]*\b(insert|update|delete)\b)/i;

interface Entry {
  value: number;
  generation: number;
  at: number;
}

export class CountCache {
  private generation = 0;
  private readonly entries = new Map<string, Entry>();
  /** Counts running now: concurrent requests for one total wait for the same count. */
  private readonly pending = new Map<string, { generation: number; value: Promise<number> }>();

  constructor(knex: Knex) {
    knex.on('query', (q: { sql?: string }) => {
      if (q.sql && WRITE.test(q.sql)) {
        this.generation++;
        this.entries.clear();
      }
    });
  }

  /** The cached total of `sql` with `bindings`, or `count()`'s, kept if no write overlapped it. */
  async get(sql: string, bindings: readonly unknown[], count: () => Promise<number>): Promise<number> {
    const key = `${sql}\u0000${JSON.stringify(bindings)}`;
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.generation === this.generation && now - hit.at < TTL_MS) return hit.value;
    const running = this.pending.get(key);
    if (running && running.generation === this.generation) return running.value;
    const generation = this.generation;
    const value = count();
    this.pending.set(key, { generation, value });
    try {
      const total = await value;
      if (generation === this.generation) {
        this.entries.delete(key);
        this.entries.set(key, { value: total, generation, at: now });
        if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      }
      return total;
    } finally {
      if (this.pending.get(key)?.value === value) this.pending.delete(key);
    }
  }
}

const caches = new WeakMap<Knex, CountCache>();

/** The count cache of one database handle (one per Knex instance, so per server and per test app). */
export function countCacheOf(knex: Knex): CountCache {
  let cache = caches.get(knex);
  if (!cache) caches.set(knex, (cache = new CountCache(knex)));
  return cache;
}
