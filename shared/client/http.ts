/**
 * The admin app's HTTP core: fetch with the caller's bearer token, one silent refresh on a 401,
 * and every error turned into an ApiError carrying the server's message and field errors.
 * Runs unchanged in a browser at /admin, in the desktop app and in Node (tests).
 */

export interface ErrorBody {
  error?: { code?: string; message?: string; field?: string };
  detail?: { loc: (string | number)[]; msg: string; type: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The field the server blamed, and every field error of a 422, keyed by field name. */
    readonly field: string | undefined,
    readonly fieldErrors: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | undefined | null | (string | number)[]>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** A raw body (CSV upload, say) sent as is with this content type. */
  raw?: { data: BodyInit; contentType: string };
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Skip the bearer token (login, password reset). */
  anonymous?: boolean;
}

export interface TokenSource {
  /** The access token to send, or null when signed out. */
  accessToken(): string | null;
  /** Called once on a 401: refresh and answer whether a retry makes sense. */
  refresh(): Promise<boolean>;
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const fieldName = (loc: (string | number)[]) => String(loc.filter((part) => part !== 'body' && part !== 'query' && part !== 'path').join('.'));

export async function toApiError(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's page, say): the status line is all there is.
  }
  const fieldErrors: Record<string, string> = {};
  for (const item of body.detail ?? []) fieldErrors[fieldName(item.loc)] ??= item.msg;
  const message = body.error?.message ?? (res.statusText || `HTTP ${res.status}`);
  if (body.error?.field && !fieldErrors[body.error.field]) fieldErrors[body.error.field] = message;
  return new ApiError(res.status, body.error?.code ?? 'http_error', message, body.error?.field, fieldErrors);
}

export class HttpClient {
  constructor(
    private readonly tokens: TokenSource,
    private readonly baseUrl = '',
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  url(path: string, query?: Query): string {
    return `${this.baseUrl}${path}${queryString(query)}`;
  }

  /** The raw Response (downloads, streams); throws ApiError when it is not a 2xx. */
  async fetch(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const send = () => {
      const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
      const token = options.anonymous ? null : this.tokens.accessToken();
      if (token) headers.Authorization = `Bearer ${token}`;
      let body: BodyInit | undefined;
      if (options.raw) {
        body = options.raw.data;
        headers['Content-Type'] = options.raw.contentType;
      } else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['Content-Type'] = 'application/json';
      }
      return this.fetchImpl(this.url(path, options.query), { method, headers, body, signal: options.signal });
    };
    let res = await send();
    if (res.status === 401 && !options.anonymous && this.tokens.accessToken() && (await this.tokens.refresh())) res = await send();
    if (!res.ok) throw await toApiError(res);
    return res;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.fetch(method, path, options);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal) {
    return this.request<T>('GET', path, { query, signal });
  }
  post<T>(path: string, body?: unknown, query?: Query) {
    return this.request<T>('POST', path, { body, query });
  }
  put<T>(path: string, body?: unknown, query?: Query) {
    return this.request<T>('PUT', path, { body, query });
  }
  patch<T>(path: string, body?: unknown, query?: Query) {
    return this.request<T>('PATCH', path, { body, query });
  }
  delete<T>(path: string, query?: Query, body?: unknown) {
    return this.request<T>('DELETE', path, { query, body });
  }
}
