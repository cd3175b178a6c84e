import autocannon from 'autocannon';

/** One HTTP scenario: what autocannon sends, each request possibly different. */
export interface HttpScenario {
  name: string;
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** A fixed path, or one per request. */
  path: string | (() => string);
  headers?: Record<string, string>;
  /** A JSON body per request. */
  body?: () => unknown;
  /** The status every answer must have (2xx by default). */
  expectStatus?: number;
}

export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

export interface LoadOptions {
  connections: number;
  durationS: number;
}

/**
 * Drives `url` with autocannon for a few seconds and returns requests/s and latency percentiles
 * (ms). A scenario whose answers are not all the expected status fails the run: a fast error is
 * not a result.
 */
export async function drive(url: string, s: HttpScenario, opts: LoadOptions): Promise<Measured> {
  const wrongStatus: number[] = [];
  const result = await autocannon({
    url,
    connections: opts.connections,
    duration: opts.durationS,
    requests: [{
      method: s.method ?? 'GET',
      headers: { ...(s.body ? { 'content-type': 'application/json' } : {}), ...s.headers },
      setupRequest: (req) => ({
        ...req,
        path: typeof s.path === 'string' ? s.path : s.path(),
        ...(s.body ? { body: JSON.stringify(s.body()) } : {}),
      }),
      onResponse: (status: number) => {
        if (s.expectStatus ? status !== s.expectStatus : status < 200 || status >= 300) wrongStatus.push(status);
      },
    }],
  });
  if (wrongStatus.length) {
    const counts = wrongStatus.reduce<Record<number, number>>((m, st) => ({ ...m, [st]: (m[st] ?? 0) + 1 }), {});
    throw new Error(`${s.name}: ${wrongStatus.length} of ${result.requests.total} answers had an unexpected status: ${JSON.stringify(counts)}`);
  }
  if (result.errors || result.timeouts) throw new Error(`${s.name}: ${result.errors} errors, ${result.timeouts} timeouts`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, errors: result.errors };
}

/** Runs `op` with `concurrency` in flight for `durationS` seconds; operations per second. */
export async function throughput(op: () => Promise<unknown>, concurrency: number, durationS: number): Promise<{ perSecond: number; count: number }> {
  const until = Date.now() + durationS * 1000;
  let count = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < until) {
      await op();
      count++;
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: count / seconds, count };
}
