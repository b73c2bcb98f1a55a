import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Engine } from 'cairnflow/cdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXEC_WRAPPER_FILE, NODE_FLAGS } from '../../lib/node-flags.ts';
import { loanEntry, logicalId, repoBundling, testApp } from './fixtures.ts';

describe('bundles (real esbuild bundling through NodejsFunction)', () => {
  let outdir: string;
  let stack: Stack;
  let engine: Engine;
  let assets: Map<NodejsFunction, string>;

  beforeAll(() => {
    // GIVEN an engine and the loan worker, bundled for real (what the bundles contain is
    // test/cdk/bundles.test.ts's subject; this one checks what the constructs' bundling produces)
    outdir = mkdtempSync(join(tmpdir(), 'cairn-cdk-bundle-'));
    stack = new Stack(testApp({ bundle: true, outdir }), 'Bundles');
    engine = new Engine(stack, 'Engine', { bundling: repoBundling, dashboard: false });
    engine.addWorker('Loans', {
      taskQueue: 'loans',
      entry: loanEntry,
      bundling: repoBundling,
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

  it("starts Node through the bundle's exec wrapper, with Cairn's Node flags, for every function", () => {
    const template = Template.fromStack(stack).toJSON().Resources;
    for (const [fn, dir] of assets) {
      // THEN Lambda is told to use the wrapper, and the wrapper is in the bundle, executable
      const variables = template[logicalId(fn, stack)].Properties.Environment.Variables;
      expect(variables.AWS_LAMBDA_EXEC_WRAPPER).toBe(`/var/task/${EXEC_WRAPPER_FILE}`);
      const wrapper = join(dir, EXEC_WRAPPER_FILE);
      expect(statSync(wrapper).mode & 0o111, wrapper).not.toBe(0);
      // … and running Node's command line through it, as Lambda's runtime does, loads the bundle
      // under the flags (the wrapper gets the Node binary first, then Node's own arguments).
      const script = `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
        console.log(typeof m.handler, process.execArgv.slice(0, ${NODE_FLAGS.length}).join(' '));`;
      const output = execFileSync(wrapper, [process.execPath, '--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      });
      expect(output.trim()).toBe(`function ${NODE_FLAGS.join(' ')}`);
    }
  });
});
