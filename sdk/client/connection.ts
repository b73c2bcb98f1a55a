import { InvalidArgumentError } from '../common/errors.ts';
import type { WorkflowServiceApi } from '../common/wire/service.ts';
import { defaultEndpoint } from './default-endpoint.ts';
import { HttpTransport } from './http-transport.ts';
import type { RetryOptions } from './retry-policy.ts';

/** The operations a client needs from the engine: the HTTP API, or the engine in-process. */
export type { WorkflowServiceApi };

/** Signs a request (e.g. SigV4 for API Gateway's IAM authorization). */
export type RequestSigner = (request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}) => Promise<Record<string, string>> | Record<string, string>;

/** Options of an HTTP connection. */
export interface ConnectionOptions {
  /**
   * Base URL of the HTTP API, e.g. `http://127.0.0.1:4680` or the API Gateway URL.
   * @default `CAIRN_ENDPOINT` if set, else `cairn dev`'s `http://127.0.0.1:4680`
   */
  address?: string;
  headers?: Record<string, string>;
  signer?: RequestSigner;
  fetch?: typeof fetch;
  /**
   * Retries of throttled and transient failures, with jittered exponential backoff.
   * @default { maxAttempts: 5 } (see `RetryOptions`)
   */
  retry?: RetryOptions;
}

/**
 * A connection to a Cairn engine. `Connection.connect({ address })` speaks the HTTP API;
 * the test environment hands out in-process connections.
 *
 * @example
 * const client = new Client({ connection: await Connection.connect({ address: process.env.CAIRN_ENDPOINT! }) });
 */
export class Connection {
  constructor(readonly service: WorkflowServiceApi) {}

  /** With no address: `CAIRN_ENDPOINT` if set, else the dev server's `http://127.0.0.1:4680`. */
  static async connect(options: ConnectionOptions = {}): Promise<Connection> {
    return Connection.lazy(options);
  }

  /** Same as `connect`, synchronously. */
  static lazy(options: ConnectionOptions = {}): Connection {
    if (options.address !== undefined && typeof options.address !== 'string')
      throw new InvalidArgumentError('Connection address must be the HTTP API URL, as a string');
    return new Connection(new HttpTransport({ ...options, address: options.address || defaultEndpoint() }));
  }

  async close(): Promise<void> {}
}
