import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// `cairnflow/client` must work in a browser or a plain Node app without the engine: it reaches the
// engine only through the wire shapes in sdk/common (DESIGN.md, "Layout" and its dependency rules).

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = resolve(root, 'sdk/client/index.ts');

/** Repository folders the client must never reach, not even for a type. */
const ENGINE_SIDE = /^(sdk\/(runtime|backend|testing|worker)|local|functions|lib|bin)\//;
/** The AWS service clients the engine's adapters use. */
const AWS_SERVICE_CLIENT = /^@aws-sdk\/client-(dynamodb|sqs|s3|lambda)(\/|$)/;
/** sigv4Signer's default credential chain: Node-only, imported lazily when no credentials are given. */
const DEFAULT_CREDENTIAL_CHAIN = '@aws-sdk/credential-provider-node';

/** Every repository file the client's sources import, `import type` included, and the packages they name. */
function sourceImports(): { files: string[]; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith('.')) queue.push(resolve(dirname(file), fileName));
      else packages.add(fileName);
    }
  }
  return { files: [...seen].map((file) => relative(root, file)).sort(), packages };
}

async function bundleClient() {
  const lazyImports: { importer: string; kind: string }[] = [];
  // Left out of the bundle, and recorded, so the test can say exactly where it is asked for.
  const leaveOutDefaultChain: Plugin = {
    name: 'leave-out-default-credential-chain',
    setup(plugin) {
      plugin.onResolve({ filter: new RegExp(`^${DEFAULT_CREDENTIAL_CHAIN}$`) }, (args) => {
        lazyImports.push({ importer: relative(root, args.importer), kind: args.kind });
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['source', 'module'],
    plugins: [leaveOutDefaultChain],
    logLevel: 'silent',
  });
  return { inputs: Object.keys(result.metafile.inputs), lazyImports };
}

describe('the client package', () => {
  it('imports nothing from the engine, its backends, the test kit, the handlers or the local stack, not even types', () => {
    const { files, packages } = sourceImports();
    expect(files).toContain('sdk/client/http-transport.ts');
    expect(files.filter((file) => ENGINE_SIDE.test(file))).toEqual([]);
    expect([...packages].filter((name) => AWS_SERVICE_CLIENT.test(name))).toEqual([]);
  });

  it('bundles for the browser without engine code, AWS service clients or zod', async () => {
    const { inputs } = await bundleClient();
    expect(inputs).toContain('sdk/client/index.ts');
    expect(inputs.filter((input) => ENGINE_SIDE.test(input))).toEqual([]);
    const packages = inputs.flatMap((input) => {
      const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      return match ? [match[1]!] : [];
    });
    expect(packages.filter((name) => AWS_SERVICE_CLIENT.test(name))).toEqual([]);
    expect(packages).not.toContain('zod');
  });

  it("leaves out of the browser bundle only sigv4Signer's default credential chain, which it imports lazily", async () => {
    const { lazyImports } = await bundleClient();
    expect(lazyImports).toEqual([{ importer: 'sdk/client/sigv4-signer.ts', kind: 'dynamic-import' }]);
  });
});
