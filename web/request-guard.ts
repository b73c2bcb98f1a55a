import type { IncomingHttpHeaders } from 'node:http';

/** Why {@link checkLocalRequest} refused a request; `undefined` when it may proceed. */
export type Refusal = { status: 403 | 421; message: string } | undefined;

/**
 * Guards a server on 127.0.0.1 against the browser's two ways in from another site:
 * - DNS rebinding: a page of `evil.example` whose name later resolves to 127.0.0.1 sends requests
 *   whose Host is `evil.example`; only `127.0.0.1:<port>` and `localhost:<port>` are answered.
 * - Cross-site requests: a foreign page may POST to 127.0.0.1 (a form, a no-cors fetch); a request
 *   with another Origin, or that the browser marks cross-site, is refused. Tools that send neither
 *   header (the CLI, the SDK's client) are unaffected, and a plain link to a page of the UI still opens.
 *
 * @example
 * const refusal = checkLocalRequest(request.method, request.url, request.headers, 4680);
 * if (refusal) return respond(refusal.status, refusal.message);
 */
export function checkLocalRequest(
  method: string | undefined,
  path: string | undefined,
  headers: IncomingHttpHeaders,
  port: number,
): Refusal {
  const host = headers.host?.toLowerCase();
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!host || !hosts.includes(host)) {
    return {
      status: 421,
      message: `Host '${headers.host ?? ''}' is not this server; open http://127.0.0.1:${port}/`,
    };
  }
  const origin = headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return { status: 403, message: `Cross-origin request from '${origin}' refused` };
  }
  const site = headers['sec-fetch-site'];
  const navigation =
    method === 'GET' && headers['sec-fetch-mode'] === 'navigate' && !path?.startsWith('/v1/');
  if ((site === 'cross-site' || site === 'same-site') && !navigation) {
    return { status: 403, message: 'Cross-site request refused' };
  }
  return undefined;
}
