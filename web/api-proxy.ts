import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestSigner } from '../sdk/client/connection.ts';

/** Options of {@link createApiProxy}. */
export interface ApiProxyOptions {
  /** Base URL of the engine's HTTP API, e.g. the API Gateway URL (a stage path is kept). */
  endpoint: string;
  /** Signs each forwarded request, e.g. `sigv4Signer({ region })` for IAM authorization. */
  signer?: RequestSigner;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default 10 MB (API Gateway's payload quota) */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Request headers that describe the API call itself; everything else (cookies, Origin) stays here. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'retry-after', 'allow'];

function reply(response: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ message });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Forwards the UI's API calls (`/v1/...`) to a deployed engine, signing each one, so the browser
 * never holds AWS credentials and the deployment needs no public, unauthenticated surface.
 *
 * @example
 * const forward = createApiProxy({ endpoint, signer: sigv4Signer({ region: 'eu-west-1' }) });
 * // in a request listener: if (request.url.startsWith('/v1/')) return forward(request, response);
 */
export function createApiProxy(
  options: ApiProxyOptions,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const base = new URL(options.endpoint);
  const basePath = base.pathname.replace(/\/+$/, '');
  const send = options.fetch ?? fetch;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (request, response) => {
    const method = request.method ?? 'GET';
    const url = new URL(`${basePath}${request.url ?? '/'}`, base.origin);
    // Only the API's own routes are signed: `/v1/../` must not reach anything else on the host.
    if (!url.pathname.startsWith(`${basePath}/v1/`))
      return reply(response, 400, 'Only /v1/ routes are forwarded');
    const target = url.toString();
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(request, maxBodyBytes);
    if (body === undefined && method !== 'GET' && method !== 'HEAD') {
      return reply(response, 413, 'Request Entity Too Large');
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    let upstream: Response;
    try {
      const signed = options.signer ? await options.signer({ method, url: target, headers, body }) : {};
      upstream = await send(target, { method, headers: { ...headers, ...signed }, body });
    } catch (error) {
      return reply(response, 502, `Could not reach ${base.origin}: ${(error as Error).message}`);
    }
    const payload = Buffer.from(await upstream.arrayBuffer());
    const out: Record<string, string> = { 'content-length': String(payload.length) };
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = upstream.headers.get(name);
      if (value !== null) out[name] = value;
    }
    const noBody = upstream.status === 204 || upstream.status === 304;
    response.writeHead(upstream.status, noBody ? {} : out);
    response.end(noBody ? undefined : payload);
  };
}
