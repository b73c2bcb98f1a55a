import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Engine } from 'cairnflow/cdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loanEntry, logicalId, repoBundling, testApp } from './fixtures.ts';

/** esbuild's metafile: every input, with the imports esbuild resolved for it. */
interface Metafile {
  inputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
}

/** The inputs `from` pulls in, transitively (external imports included by their specifier). */
function importClosure(metafile: Metafile, from: string): Set<string> {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imported of metafile.inputs[path]?.imports ?? []) {
      if (imported.external) seen.add(imported.path);
      else pending.push(imported.path);
    }
  }
  return seen;
}

const isAwsSdk = (path: string) => path.startsWith('@aws-sdk/') || path.includes('node_modules/@aws-sdk/');

describe('bundles (real esbuild bundling through NodejsFunction)', () => {
  let outdir: string;
  let stack: Stack;
  let engine: Engine;
  let assets: Map<NodejsFunction, string>;

  beforeAll(() => {
    // GIVEN an engine and the loan worker, bundled for real (the worker with an esbuild metafile)
    outdir = mkdtempSync(join(tmpdir(), 'cairn-cdk-bundle-'));
    stack = new Stack(testApp({ bundle: true, outdir }), 'Bundles');
    engine = new Engine(stack, 'Engine', { bundling: repoBundling, dashboard: false });
    engine.addWorker('Loans', {
      taskQueue: 'loans',
      entry: loanEntry,
      bundling: { ...repoBundling, overrides: { metafile: true } },
    });
    // WHEN the stack is synthesized
    const resources = Template.fromStack(stack).toJSON().Resources;
    const functions = [
      engine.apiFunction,
      engine.routerFunction,
      engine.systemFunction,
      engine.sweeperFunction,
      engine.workers[0]!.function,
    ];
    assets = new Map(
      functions.map((fn) => {
        const key = String(resources[logicalId(fn, stack)].Properties.Code.S3Key);
        return [fn, join(outdir, `asset.${key.replace(/\.zip$/, '')}`)];
      }),
    );
  }, 180_000);

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('produces an ES module bundle that Node loads and that exports the handler, for every function', () => {
    const bundles = [...assets.values()].map((dir) => join(dir, 'index.mjs'));
    for (const bundle of bundles) expect(existsSync(bundle), bundle).toBe(true);
    // Load each bundle in a fresh Node process, as Lambda's runtime would (ESM, `index.handler`).
    const script = `
      for (const url of ${JSON.stringify(bundles.map((bundle) => pathToFileURL(bundle).href))}) {
        const module = await import(url);
        console.log(typeof module.handler);
      }`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_OPTIONS: '--enable-source-maps' },
    });
    expect(output.trim().split('\n')).toEqual(bundles.map(() => 'function'));
  });

  it('keeps every AWS SDK client out of the workflow code path', () => {
    const worker = engine.workers[0]!.function;
    const metafile = JSON.parse(
      readFileSync(join(assets.get(worker)!, 'index.meta.json'), 'utf8'),
    ) as Metafile;
    // The worker bundle as a whole does use the SDK (so this check can see it) …
    expect(Object.keys(metafile.inputs).some(isAwsSdk)).toBe(true);
    // … but nothing reachable from the workflows does.
    const workflowPath = importClosure(metafile, 'examples/loan/workflows.ts');
    expect(workflowPath).toContain('sdk/workflow/index.ts');
    expect([...workflowPath].filter(isAwsSdk)).toEqual([]);
    expect([...workflowPath].filter((path) => path.includes('sdk/backend/'))).toEqual([]);
  });
});
