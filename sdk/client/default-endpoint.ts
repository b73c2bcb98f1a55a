/**
 * Where `cairn dev` serves the HTTP API by default: a client or connection given no address talks
 * to it, as Temporal's talks to `localhost:7233`.
 *
 * @example
 * new Client(); // CAIRN_ENDPOINT if set, else http://127.0.0.1:4680
 */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4680';

/**
 * The endpoint a client or connection uses when given none: `CAIRN_ENDPOINT` if set (the same
 * variable the CLI reads), else the dev server's. In a browser, where there is no environment,
 * the dev server's.
 */
export function defaultEndpoint(): string {
  // `globalThis.process` and not `process`: the client also runs in browsers, which have none.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.CAIRN_ENDPOINT || DEFAULT_ENDPOINT;
}
