import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { Client } from 'cairnflow/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from '../support/browser.ts';
import { type DevProcess, REPO_CAIRN, REPO_CAIRN_ARGS, startDev } from '../support/dev-process.ts';

const CLI = REPO_CAIRN_ARGS;
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

let dev: DevProcess;
let ui: DevProcess;
let browser: Browser;
let client: Client;
const servers: Server[] = [];

/** One raw HTTP request, with exactly the headers given (fetch would add or refuse some). */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // The path as written (`/v1/../x` too): a URL object would resolve it first.
    const { hostname, port, origin } = new URL(url);
    const path = url.slice(origin.length) || '/';
    const outgoing = request({ hostname, port, path, method, headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const terminatePath = (workflowId: string) => `/v1/namespaces/default/workflows/${workflowId}/terminate`;

beforeAll(async () => {
  browser = await launchChromium();
  dev = await startDev(REPO_CAIRN, [...CLI, 'dev', '--in-memory', '--worker', 'examples/approval/worker.ts']);
  ui = await startDev(REPO_CAIRN, [...CLI, 'ui', '--endpoint', dev.endpoint]);
  client = new Client({ endpoint: dev.endpoint });
  for (const workflowId of ['guarded-1', 'guarded-2']) {
    await client.workflow.start('approval', {
      taskQueue: 'approvals',
      workflowId,
      args: [{ requestId: workflowId, description: 'guarded', approvers: ['grace'] }],
    });
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await ui?.stop();
  await dev?.stop();
});

describe.each([
  ['cairn dev', () => dev.endpoint],
  ['cairn ui', () => ui.endpoint],
])('the local server of %s', (_name, endpoint) => {
  it('refuses a request with a foreign Origin (403), API and page alike, and allows its own', async () => {
    const base = endpoint();
    const foreign = await send(
      `${base}${terminatePath('guarded-1')}`,
      'POST',
      {
        origin: 'http://evil.example',
        'content-type': 'application/json',
      },
      '{}',
    );
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).message).toMatch(
      /Cross-origin request from 'http:\/\/evil.example' refused/,
    );
    expect((await send(`${base}/`, 'GET', { origin: 'http://evil.example' })).status).toBe(403);
    expect(
      (await send(`${base}/v1/namespaces/default/workflows`, 'GET', { 'sec-fetch-site': 'cross-site' }))
        .status,
    ).toBe(403);
    const own = await send(`${base}/v1/namespaces/default/workflows`, 'GET', { origin: base });
    expect(own.status).toBe(200);
    expect((await client.workflow.getHandle('guarded-1').describe()).status).toBe('Running');
  });

  it('refuses a foreign Host (DNS rebinding) and answers 127.0.0.1 and localhost', async () => {
    const base = endpoint();
    const port = new URL(base).port;
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1.evil.example:${port}`,
      `127.0.0.1:1`,
    ]) {
      const response = await send(`${base}/v1/namespaces/default/workflows`, 'GET', { host });
      expect(response.status, host).toBe(421);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await send(`${base}/`, 'GET', { host })).status, host).toBe(200);
    }
  });
});

describe('the guards in a real browser', () => {
  it('a page of another origin cannot terminate a run on cairn dev', async () => {
    const target = `${dev.endpoint}${terminatePath('guarded-2')}`;
    const attacker = await listen(
      createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(`<!doctype html><title>attacker</title><script>
          window.attempts = Promise.allSettled([
            fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', body: '{"reason":"csrf"}' }),
            fetch(${JSON.stringify(target)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
          ]).then((results) => results.map((result) => result.status));
        </script>`);
      }),
    );
    const { page } = await openPage(browser, `${attacker}/`);
    // The no-cors request is sent (and refused); the CORS one fails in the browser.
    await expect(
      page.evaluate(() => (window as unknown as { attempts: Promise<string[]> }).attempts),
    ).resolves.toEqual(['fulfilled', 'rejected']);
    await page.close();
    const { events } = await client.workflow.getHandle('guarded-2').fetchHistory();
    expect(events.some((event) => event.type === 'WorkflowExecutionTerminated')).toBe(false);
    expect((await client.workflow.getHandle('guarded-2').describe()).status).toBe('Running');
  });

  it('cairn ui shows the runs of the endpoint it forwards to', async () => {
    const { page, errors } = await openPage(browser, `${ui.endpoint}/`);
    await page.getByRole('link', { name: 'guarded-1' }).waitFor();
    await page.getByRole('link', { name: 'guarded-1' }).click();
    await page.locator('[data-testid=input]', { hasText: 'guarded' }).waitFor();
    await page.close();
    expect(errors).toEqual([]);
  });
});

describe('cairn ui --sigv4', () => {
  it("signs each forwarded call with the user's own AWS credentials", async () => {
    const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const upstream = await listen(
      createServer((incoming, response) => {
        let body = '';
        incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
        incoming.on('end', () => {
          seen.push({ method: incoming.method!, url: incoming.url!, headers: incoming.headers, body });
          response.writeHead(204);
          response.end();
        });
      }),
    );
    const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _token, ...env } = process.env;
    const signed = await startDev(
      REPO_CAIRN,
      [...CLI, 'ui', '--endpoint', `${upstream}/stage`, '--sigv4', '--region', 'eu-west-1'],
      {
        env: {
          ...env,
          AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        },
      },
    );
    try {
      const path = '/v1/namespaces/default/workflows/order%201/signals/decide?runId=r-1';
      const body = '{"input":[]}';
      const answer = await send(
        `${signed.endpoint}${path}`,
        'POST',
        { 'content-type': 'application/json', cookie: 'x=1' },
        body,
      );
      expect(answer.status).toBe(204);
      expect(seen).toHaveLength(1);
      const [call] = seen;
      expect(call!.url).toBe(`/stage${path}`);
      expect(call!.body).toBe(body);
      expect(call!.headers.cookie).toBeUndefined();
      const authorization = String(call!.headers.authorization);
      expect(authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
      );

      // The same request signed here, at the same instant, gives the same signature.
      const amzDate = String(call!.headers['x-amz-date']);
      const signingDate = new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
      );
      const signer = new SignatureV4({
        region: 'eu-west-1',
        service: 'execute-api',
        credentials: CREDENTIALS,
        sha256: Sha256,
      });
      const target = new URL(`${upstream}/stage${path}`);
      const expected = await signer.sign(
        {
          method: 'POST',
          protocol: 'http:',
          hostname: target.hostname,
          port: Number(target.port),
          path: target.pathname,
          query: { runId: 'r-1' },
          headers: { 'content-type': 'application/json', host: target.host },
          body,
        },
        { signingDate },
      );
      expect(authorization).toBe(expected.headers.authorization);

      // A path that climbs out of the API is not forwarded (nor signed).
      const climbing = await send(`${signed.endpoint}/v1/../admin`, 'GET', {});
      expect(climbing.status).toBe(400);
      expect(seen).toHaveLength(1);
    } finally {
      await signed.stop();
    }
  });
});
