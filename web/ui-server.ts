import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LoopbackServer, listenOnLoopback } from '../local/loopback-server.ts';
import { type ApiProxyOptions, createApiProxy } from './api-proxy.ts';
import { checkLocalRequest } from './request-guard.ts';
import { serveUiFile, type UiFiles } from './ui-assets.ts';

/** Options of {@link startUiServer}. */
export interface UiServerOptions extends ApiProxyOptions {
  ui: UiFiles;
  /** Port on 127.0.0.1. @default 0 (a free port) */
  port?: number;
}

/** A running `cairn ui` server. */
export type UiServer = LoopbackServer;

/**
 * Serves the web UI on 127.0.0.1 and forwards its API calls to a deployed engine (`cairn ui`).
 * Every request passes the Host and Origin checks first.
 *
 * @example
 * const server = await startUiServer({ ui: await loadUi(), endpoint, signer: sigv4Signer({ region }) });
 * console.log(server.url);
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const forward = createApiProxy(options);
  const server = createServer((request, response) => {
    const { port } = server.address() as AddressInfo;
    const refusal = checkLocalRequest(request.method, request.url, request.headers, port);
    if (refusal) {
      response.writeHead(refusal.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: refusal.message }));
      return;
    }
    const path = request.url ?? '/';
    if (!path.startsWith('/v1/')) return serveUiFile(options.ui, request.method, path, response);
    forward(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `Proxy error: ${(error as Error).message}` }));
    });
  });
  // Loopback only: never reachable from the network (DESIGN.md, "Security").
  return listenOnLoopback(server, options.port);
}
