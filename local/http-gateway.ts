import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkLocalRequest } from '../web/request-guard.ts';
import { serveUiFile, type UiFiles } from '../web/ui-assets.ts';
import {
  fromGatewayResult,
  type GatewayHandler,
  type GatewayResponse,
  toGatewayEvent,
} from './http-gateway-event.ts';
import { type LoopbackServer, listenOnLoopback } from './loopback-server.ts';

/** Options of {@link startHttpGateway}. */
export interface HttpGatewayOptions {
  /** The Lambda handler behind the API (e.g. `createApiHandler(service)`). */
  handler: GatewayHandler;
  /**
   * Port on 127.0.0.1.
   * @default 0 (a free port, see `gateway.port`)
   */
  port?: number;
  /**
   * Largest request body; a larger one gets API Gateway's own 413.
   * @default 10 MB (API Gateway's payload quota)
   */
  maxBodyBytes?: number;
  /**
   * How long the handler may run before the gateway answers 503 itself.
   * @default 30_000 (API Gateway's integration timeout)
   */
  timeoutMs?: number;
  /**
   * The web UI, served at every path outside `/v1/` (what `cairn dev` shows at its `/`).
   * @default none: only the API's routes
   */
  ui?: UiFiles;
}

/** A running gateway. */
export type HttpGateway = LoopbackServer;

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

/** API Gateway's own answers, in its own shape: `{"message": "..."}`. */
function gatewayError(status: number, message: string): GatewayResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function serve(
  request: IncomingMessage,
  options: Required<Omit<HttpGatewayOptions, 'port' | 'ui'>>,
): Promise<GatewayResponse> {
  let body: Buffer;
  try {
    body = await readBody(request, options.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLarge) return gatewayError(413, 'Request Entity Too Large');
    throw error;
  }
  const event = toGatewayEvent({
    method: request.method ?? 'GET',
    target: request.url ?? '/',
    headers: request.headers,
    body,
    sourceIp: request.socket.remoteAddress,
  });
  const invocation = options
    .handler(event)
    .then(fromGatewayResult, () => gatewayError(500, 'Internal Server Error'));
  return withTimeout(invocation, options.timeoutMs, () => gatewayError(503, 'Service Unavailable'));
}

function write(response: ServerResponse, { status, headers, body }: GatewayResponse): void {
  const noBody = status === 204 || status === 304;
  response.writeHead(status, { ...headers, ...(!noBody && { 'content-length': String(body.length) }) });
  response.end(noBody ? undefined : body);
}

/**
 * Serves a Lambda handler over HTTP on 127.0.0.1 the way an API Gateway HTTP API does: each request
 * becomes a payload-format-2.0 event, the handler's result becomes the response.
 *
 * @example
 * const gateway = await startHttpGateway({ handler: createApiHandler(engine.service) });
 * const client = new Client({ endpoint: gateway.url });
 * await gateway.stop();
 */
export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const settings = {
    handler: options.handler,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const server = createServer((request, response) => {
    // Every request, API or UI: a browser page of another site must not reach the local engine.
    const refusal = checkLocalRequest(
      request.method,
      request.url,
      request.headers,
      (server.address() as AddressInfo).port,
    );
    if (refusal) return write(response, gatewayError(refusal.status, refusal.message));
    const path = request.url ?? '/';
    if (options.ui && !path.startsWith('/v1/'))
      return serveUiFile(options.ui, request.method, path, response);
    serve(request, settings).then(
      (result) => write(response, result),
      () => write(response, gatewayError(500, 'Internal Server Error')),
    );
  });
  // Loopback only: never reachable from the network (DESIGN.md, "Security").
  return listenOnLoopback(server, options.port);
}
