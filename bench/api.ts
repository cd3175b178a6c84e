/** A small JSON client for setting the benchmark up through Roster's own API. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field
export type Json = Record<string, any>;

export class Api {
  constructor(readonly url: string, private auth: Record<string, string> = {}) {}

  async login(username: string, password: string, tenant = 'default'): Promise<Api> {
    const body = await this.call('POST', '/api/v1/auth/token', { grant_type: 'password', username, password, tenant }, 200);
    return new Api(this.url, { Authorization: `Bearer ${body.access_token}` });
  }

  get authorization(): string {
    return this.auth.Authorization;
  }

  /** Sends `body` as JSON (or as is, with `contentType`) and insists on `expect`. */
  async call(method: string, path: string, body?: unknown, expect = 200, contentType?: string): Promise<Json> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...this.auth, ...(body === undefined ? {} : { 'Content-Type': contentType ?? 'application/json' }) },
      body: body === undefined ? undefined : contentType ? (body as BodyInit) : JSON.stringify(body),
      // Node's fetch needs this for a streamed body.
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
    const text = await res.text();
    if (res.status !== expect) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return text ? (JSON.parse(text) as Json) : {};
  }
}
