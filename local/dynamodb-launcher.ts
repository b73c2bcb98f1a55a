import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How `java` runs `LoopbackDynamoDbLocal`: its compiled class on the classpath, or its source. */
export type Launcher = { classDir: string; mainClass: string } | { source: string };

/**
 * The loopback launcher (`LoopbackDynamoDbLocal.java`), compiled once into `cacheDir` and reused by
 * every later start: Java's source launcher compiles it in memory at each start, about half of a
 * ~4 s start-up (and a second of CPU). The directory is named for the source's hash, so an edited
 * launcher compiles afresh. Without `javac` (a bare JRE), or where the cache cannot be written, it
 * is the source launcher, as before. Two processes compiling at once each write their own staging
 * directory; the first rename wins and the other uses its result.
 */
export async function loopbackLauncher(
  source: string,
  classpath: string,
  cacheDir: string,
): Promise<Launcher> {
  const mainClass = 'LoopbackDynamoDbLocal';
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const classDir = join(cacheDir, `dynamodb-launcher-${hash}`);
  const compiled = () => existsSync(join(classDir, `${mainClass}.class`));
  if (compiled()) return { classDir, mainClass };
  let staging: string | undefined;
  try {
    mkdirSync(cacheDir, { recursive: true });
    staging = mkdtempSync(`${classDir}-`);
    // --release 17: the class runs on any Java DynamoDB Local supports, whichever JDK compiled it.
    await run('javac', ['--release', '17', '-cp', classpath, '-d', staging, source], { timeout: 60_000 });
    renameSync(staging, classDir);
    staging = undefined;
  } catch {
    // No javac, a read-only cache, or another process renamed its result first.
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
  }
  return compiled() ? { classDir, mainClass } : { source };
}
