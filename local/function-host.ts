import { AsyncLocalStorage } from 'node:async_hooks';

/** Lambda refused a synchronous invoke: the function is at its concurrency (TooManyRequestsException). */
export class LambdaThrottledError extends Error {
  override readonly name = 'TooManyRequestsException';
}

/** What a handler is given beside its event: Lambda's context, as far as Cairn reads it. */
export interface LocalContext {
  functionName: string;
  awsRequestId: string;
  /** Milliseconds until the invocation times out, as Lambda's `context.getRemainingTimeInMillis()`. */
  getRemainingTimeInMillis(): number;
}

/**
 * One invocation of a local function, for fault injection: `kill()` ends it as a crashed runtime
 * does. The invocation fails at once, and from then on every AWS call its code makes never returns
 * (the stack's clients consult {@link currentInvocation}), so nothing it would still have done
 * reaches DynamoDB or SQS; its JavaScript may still run, as an activity's own side effects may have
 * happened before a real process died.
 */
export class LocalInvocation {
  killed = false;
  private crash: (error: Error) => void = () => {};
  /** Set by the host: what dies with the invocation (its container's in-memory state). */
  onKill: () => void = () => {};
  /** Rejects when the invocation is killed. */
  readonly crashed = new Promise<never>((_, reject) => {
    this.crash = reject;
  });

  constructor(
    readonly functionName: string,
    readonly id: number,
    /** The event it handles (a fault test may pick its victim by it). */
    readonly event: unknown,
  ) {
    this.crashed.catch(() => undefined);
  }

  kill(reason = 'killed by a fault test'): void {
    if (this.killed) return;
    this.killed = true;
    this.onKill();
    this.crash(new Error(`Runtime exited: ${reason} (${this.functionName})`));
  }
}

const invocationScope = new AsyncLocalStorage<LocalInvocation>();

/** The invocation whose code is running here, if any. */
export function currentInvocation(): LocalInvocation | undefined {
  return invocationScope.getStore();
}

type Handler<E, R> = (event: E, context: LocalContext) => Promise<R>;

/**
 * Runs a function the way Lambda does: with a timeout, and at most `concurrency` invocations at
 * once (reserved concurrency). Beyond it, an event source mapping's invocation waits for a slot
 * (its poller backs off), while a synchronous invoke (`throttle: true`, the API behind API
 * Gateway) is refused at once with `LambdaThrottledError`, as Lambda refuses it. A timed-out
 * invocation counts as failed; its work may still finish in the background, exactly as a real
 * timed-out Lambda's side effects may have happened. A killed
 * invocation takes its container with it: with a `restart`, later invocations run on a fresh
 * handler (new module state: caches, locks), as a new Lambda container would.
 */
export class LocalFunction<E, R> {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  // Typed loosely so that a function's type stays covariant in its result (as it was with one handler).
  private readonly wrappers: ((handler: never) => unknown)[] = [];
  private handler: Handler<E, R>;
  private restart: (() => Handler<E, R>) | undefined;
  invocations = 0;
  errors = 0;
  throttles = 0;
  /** Invocations running now, and the most that ever ran at once. */
  peakConcurrency = 0;
  /** Milliseconds spent in invocations, summed: what Lambda bills (with the memory size). */
  billedMs = 0;
  /** Containers started after a kill. */
  restarts = 0;

  constructor(
    readonly name: string,
    private base: Handler<E, R>,
    private readonly options: { timeoutMs: number; concurrency: number; throttle?: boolean },
  ) {
    this.handler = base;
  }

  /** Fault injection for chaos tests: wraps the handler (e.g. to crash after it committed). */
  intercept(wrap: (handler: Handler<E, R>) => Handler<E, R>): void {
    this.wrappers.push(wrap);
    this.handler = wrap(this.handler);
  }

  /** Replaces the handler (a reloaded worker); invocations already running finish on the old one. */
  replace(handler: Handler<E, R>, restart?: () => Handler<E, R>): void {
    this.base = handler;
    this.restart = restart;
    this.rebuild();
  }

  /** How a fresh container builds its handler after a kill; none: the handler survives (no state). */
  onRestart(restart: (() => Handler<E, R>) | undefined): void {
    this.restart = restart;
  }

  private rebuild(): void {
    const wrappers = this.wrappers as ((handler: Handler<E, R>) => Handler<E, R>)[];
    this.handler = wrappers.reduce((handler, wrap) => wrap(handler), this.base);
  }

  async invoke(event: E): Promise<R> {
    if (this.options.throttle && this.running >= this.options.concurrency) {
      this.throttles++;
      throw new LambdaThrottledError(
        `Rate Exceeded: ${this.name} is at its concurrency (${this.options.concurrency})`,
      );
    }
    while (this.running >= this.options.concurrency)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    this.invocations++;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.running);
    const started = performance.now();
    const invocation = new LocalInvocation(this.name, this.invocations, event);
    invocation.onKill = () => {
      if (!this.restart) return;
      this.restarts++;
      this.base = this.restart();
      this.rebuild();
    };
    const deadline = Date.now() + this.options.timeoutMs;
    const context: LocalContext = {
      functionName: this.name,
      awsRequestId: `${this.name}-${invocation.id}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        invocationScope.run(invocation, () => this.handler(event, context)),
        invocation.crashed,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(`Task timed out after ${this.options.timeoutMs / 1000} seconds (${this.name})`),
              ),
            this.options.timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      this.errors++;
      throw error;
    } finally {
      clearTimeout(timer);
      this.billedMs += performance.now() - started;
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
