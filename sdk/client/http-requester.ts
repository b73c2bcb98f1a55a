import { rehydrateError } from '../common/error-codes.ts';
import { CairnError, InvalidArgumentError } from '../common/errors.ts';
import type { ErrorBody } from '../common/wire/error-body.ts';
import type { ConnectionOptions, RequestSigner } from './connection.ts';
import { parseRetryAfter, RetryPolicy, type RetryReason } from './retry-policy.ts';

/**
 * The API answered with an error this client has no class for (an unknown route, a gateway's own
 * refusal such as 403 from IAM authorization), or could not be reached (`code` 'Unavailable').
 */
export class HttpApiError extends CairnError {
  override readonly name = 'HttpApiError';
  constructor(
    override readonly code: string,
    /** The HTTP status, or 0 when no response arrived. */
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

// Checked by hand, not with the schema: the client does not load zod.
function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as { error?: Partial<ErrorBody['error']> } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

export function errorFromResponse(status: number, body: unknown, raw: string, request: string): CairnError {
  if (isErrorBody(body)) {
    // The API's error codes (`functions/api/errors.ts`) back to the classes the engine threw.
    const { code, message, ...details } = body.error;
    return rehydrateError(code, message, details) ?? new HttpApiError(code, status, message);
  }
  // Not the API's own error shape: API Gateway answers some refusals itself, e.g. {"message":"Forbidden"}.
  const said = text((body as { message?: unknown } | null)?.message) ?? raw.slice(0, 200);
  const hint =
    status === 403
      ? ' (is the request signed? pass `signer: sigv4Signer({ region })` for IAM authorization)'
      : '';
  return new HttpApiError(
    `Http${status}`,
    status,
    `${request} failed with HTTP ${status}: ${said || 'no body'}${hint}`,
  );
}

export type Query = Record<string, string | number | undefined>;

/** A fresh request id (Temporal's `requestId`): one per logical request, the same on each retry. */
export function newRequestId(): string {
  return globalThis.crypto.randomUUID();
}

/** Error codes after which the engine wrote nothing, so the very request may be sent again. */
const TRANSIENT_CODES = new Set(['HistoryConflict', 'Timeout']);
const THROTTLING_CODES = new Set(['Throttled']);
/** Error codes after which the request may or may not have been applied: resent only if idempotent. */
const UNKNOWN_OUTCOME_CODES = new Set(['WorkerUnavailable']);
/**
 * A gateway's own answers when the function could not run or answer (throttled, crashed, timed
 * out), and 408: a server or proxy too busy to read the whole request in time.
 */
const GATEWAY_RETRY_STATUSES = new Set([408, 500, 502, 503, 504]);

/** Why a failed response may be retried, or undefined if it may not. */
function retryReason(status: number, body: unknown): RetryReason | undefined {
  if (isErrorBody(body)) {
    const { code, retryable } = body.error as ErrorBody['error'] & { retryable?: boolean };
    if (THROTTLING_CODES.has(code) || status === 429) return 'throttled';
    if (retryable === true || TRANSIENT_CODES.has(code)) return 'transient';
    if (UNKNOWN_OUTCOME_CODES.has(code)) return 'unknown';
    // The engine's own answer: it ran the request and refused it.
    return undefined;
  }
  if (status === 429) return 'throttled';
  // API Gateway answers a throttled Lambda with its own 500: back off as from throttling.
  return GATEWAY_RETRY_STATUSES.has(status) ? 'unknown' : undefined;
}

/** How a request may be retried: a read or a request with a request id may be resent after any failure. */
export interface RequestOptions {
  /** Whether applying the request twice is harmless (a read, or the engine dedupes its request id). */
  idempotent: boolean;
}

/**
 * Sends requests to the HTTP API at one endpoint: builds the URL, signs the request, retries what
 * may pass (`RetryPolicy`), and turns an error response into the error class the engine threw.
 * `HttpTransport` says which route each operation is; this says how a request gets there.
 */
export class HttpRequester {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly signer: RequestSigner | undefined;
  private readonly fetch: typeof fetch;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    options: ConnectionOptions & {
      address: string;
      /** How the retry pauses are waited out (tests). */
      sleep?: (ms: number) => Promise<void>;
    },
  ) {
    let url: URL;
    try {
      url = new URL(options.address);
    } catch {
      throw new InvalidArgumentError(
        `Endpoint '${options.address}' is not a URL; expected e.g. http://127.0.0.1:4680`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidArgumentError(`Endpoint '${options.address}' must be an http:// or https:// URL`);
    }
    if (url.search || url.hash) {
      throw new InvalidArgumentError(
        `Endpoint '${options.address}' must not have a query string or fragment`,
      );
    }
    // A base path (an API Gateway stage, a proxy prefix) is kept; the routes go under it.
    this.base = url.href.replace(/\/+$/, '');
    this.headers = { ...options.headers };
    this.signer = options.signer;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.retry = new RetryPolicy(options.retry);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Sends one request, retrying what may pass (`RetryPolicy`): throttling and the engine's
   * transient errors always (nothing was applied), a gateway's 5xx or a lost connection only for
   * an idempotent request (it may have been applied; its request id makes the retry harmless).
   */
  async request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Query,
    body?: object,
    options: RequestOptions = { idempotent: method === 'GET' },
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt<T>(method, path, query, body);
      if (outcome.ok) return outcome.value;
      const { reason, retryAfterMs, error } = outcome;
      const retryable = reason === 'throttled' || reason === 'transient' || options.idempotent;
      if (reason === undefined || !retryable || attempt >= this.retry.maxAttempts) throw error;
      await this.sleep(this.retry.delayMs(attempt, reason, retryAfterMs));
    }
  }

  private async attempt<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Query,
    body?: object,
  ): Promise<
    { ok: true; value: T } | { ok: false; error: CairnError; reason?: RetryReason; retryAfterMs?: number }
  > {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) search.set(name, String(value));
    const url = `${this.base}${path}${search.size > 0 ? `?${search}` : ''}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (this.signer)
      Object.assign(headers, await this.signer({ method, url, headers: { ...headers }, body: payload }));
    const described = `${method} ${path}`;
    let response: Response;
    try {
      response = await this.fetch(url, { method, headers, body: payload });
    } catch (error) {
      const unreachable = new HttpApiError(
        'Unavailable',
        0,
        `Could not reach the Cairn API at ${this.base}: ${(error as Error).message}`,
        { cause: error },
      );
      return { ok: false, error: unreachable, reason: 'unknown' };
    }
    const raw = await response.text();
    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      return {
        ok: false,
        error: errorFromResponse(response.status, parsed, raw, described),
        reason: retryReason(response.status, parsed),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      };
    }
    if (response.status === 204) return { ok: true, value: undefined as T };
    if (parsed === undefined) {
      throw new HttpApiError(
        'InvalidResponse',
        response.status,
        `${described} answered without a JSON body: ${raw.slice(0, 200)}`,
      );
    }
    return { ok: true, value: parsed as T };
  }
}
