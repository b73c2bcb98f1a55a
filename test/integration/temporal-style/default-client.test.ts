// `new Client()` and `Connection.connect()` with no address, as Temporal's samples write them:
// Cairn's default is CAIRN_ENDPOINT if set, else the dev server's http://127.0.0.1:4680 (the CLI's).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Client,
  Connection,
  DEFAULT_ENDPOINT,
  HttpApiError,
  InvalidArgumentError,
  WorkflowNotFoundError,
} from 'cairnflow/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/** A stand-in for the API on 127.0.0.1 that records what it is asked and answers per path. */
const requests: string[] = [];
let server: Server;
let endpoint: string;
const savedEndpoint = process.env.CAIRN_ENDPOINT;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.setHeader('content-type', 'application/json');
    if (request.url?.startsWith('/v1/namespaces/default/workflows?')) {
      response.end(JSON.stringify({ runs: [] }));
    } else if (request.url?.startsWith('/v1/namespaces/default/workflows/missing')) {
      response.statusCode = 404;
      response.end(JSON.stringify({ error: { code: 'WorkflowNotFound', message: 'no workflow missing' } }));
    } else {
      response.statusCode = 403;
      response.end(JSON.stringify({ message: 'Forbidden' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  requests.length = 0;
  if (savedEndpoint === undefined) delete process.env.CAIRN_ENDPOINT;
  else process.env.CAIRN_ENDPOINT = savedEndpoint;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

async function drain(client: Client): Promise<unknown[]> {
  const runs: unknown[] = [];
  for await (const run of client.workflow.list({ query: "ExecutionStatus = 'Running'" })) runs.push(run);
  return runs;
}

describe('a client with no address', () => {
  it('new Client() talks to CAIRN_ENDPOINT when it is set', async () => {
    process.env.CAIRN_ENDPOINT = endpoint;
    const client = new Client();
    expect(await drain(client)).toEqual([]);
    await expect(client.workflow.getHandle('missing').describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect(requests.map((r) => r.split('?')[0])).toEqual([
      'GET /v1/namespaces/default/workflows',
      'GET /v1/namespaces/default/workflows/missing',
    ]);
  });

  it('Connection.connect() with no address does the same, and errors not of the API are HttpApiError', async () => {
    process.env.CAIRN_ENDPOINT = endpoint;
    const client = new Client({ connection: await Connection.connect(), namespace: 'elsewhere' });
    const error = await drain(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpApiError);
    expect(error).toMatchObject({ code: 'Http403', status: 403 });
    expect(requests).toHaveLength(1);
  });

  it("without CAIRN_ENDPOINT, talks to the dev server's http://127.0.0.1:4680", async () => {
    delete process.env.CAIRN_ENDPOINT;
    expect(DEFAULT_ENDPOINT).toBe('http://127.0.0.1:4680');
    // A recording fetch instead of the network: nothing is sent to port 4680.
    const asked: string[] = [];
    const recording: typeof fetch = async (url) => {
      asked.push(String(url));
      return new Response(JSON.stringify({ runs: [] }), { status: 200 });
    };
    await drain(new Client({ fetch: recording }));
    await drain(new Client({ connection: await Connection.connect({ fetch: recording }) }));
    expect(asked.map((url) => url.split('?')[0])).toEqual([
      'http://127.0.0.1:4680/v1/namespaces/default/workflows',
      'http://127.0.0.1:4680/v1/namespaces/default/workflows',
    ]);
  });

  it('refuses an endpoint and a connection together instead of ignoring one', async () => {
    const connection = await Connection.connect({ address: endpoint });
    expect(() => new Client({ endpoint, connection })).toThrow(InvalidArgumentError);
    expect(() => new Client({ endpoint, connection })).toThrow(/an endpoint or a connection, not both/);
  });
});
