/**
 * The one HTTP client: JSON in and out, the bearer token when there is a session (renewed first when it is
 * about to expire, see `session.ts`), and the API's error body (`{ statusCode, code, message, details }`)
 * turned into an `ApiError` the screens can switch on.
 */
import type { ErrorBody } from '@fapai/contracts';
import { freshToken, getSession, renewSession, setSession } from './session';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorBody['details'];
  constructor(body: ErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = body.statusCode;
    this.code = body.code;
    this.details = body.details;
  }
}

/** The request never got an answer (offline, server down): it may or may not have reached the server (a bid: see `refusal.BID_NETWORK`). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : 'network error');
    this.name = 'NetworkError';
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  return send<T>(method, path, options, await freshToken(), true);
}

async function send<T>(method: string, path: string, options: RequestOptions, token: string | null, mayRenew: boolean): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(`/api${path}${buildQuery(options.query)}`, { method, headers, body, signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError(error);
  }
  if (res.status === 401 && token && mayRenew) {
    // The token expired or was revoked on the way (the server refused it before doing anything, so sending the
    // request again is safe; a bid also carries its Idempotency-Key). One renewal, one retry.
    const now = getSession();
    const next = now && now.token !== token ? now : await renewSession();
    if (next && next.token !== token) return send<T>(method, path, options, next.token, false);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data: unknown = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const err = data && typeof data === 'object' && 'code' in data ? (data as ErrorBody) : { statusCode: res.status, code: `HTTP_${res.status}`, message: res.statusText || 'request failed' };
    // A token refused that no renewal could replace: drop the session so the app shows the login instead of failing on.
    if (res.status === 401 && token && getSession()?.token === token) setSession(null);
    throw new ApiError(err);
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { statusCode: 502, code: 'BAD_RESPONSE', message: text.slice(0, 200) };
  }
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PATCH', path, { ...options, body }),
};

/** A fresh idempotency key per bid attempt: a retry of the same attempt reuses it, so it never bids twice. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c && 'randomUUID' in c) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
