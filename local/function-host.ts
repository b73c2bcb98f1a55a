/** Lambda refused a synchronous invoke: the function is at its concurrency (TooManyRequestsException). */
export class LambdaThrottledError extends Error {
  override readonly name = 'TooManyRequestsException';
}

/**
 * Runs a function the way Lambda does: with a timeout, and at most `concurrency` invocations at
 * once (reserved concurrency). Beyond it, an event source mapping's invocation waits for a slot
 * (its poller backs off), while a synchronous invoke (`throttle: true`, the API behind API
 * Gateway) is refused at once with `LambdaThrottledError`, as Lambda refuses it. A timed-out
 * invocation counts as failed; its work may still finish in the background, exactly as a real
 * timed-out Lambda's side effects may have happened.
 */
export class LocalFunction<E, R> {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  invocations = 0;
  errors = 0;
  throttles = 0;
  /** Invocations running now, and the most that ever ran at once. */
  peakConcurrency = 0;
  /** Milliseconds spent in invocations, summed: what Lambda bills (with the memory size). */
  billedMs = 0;

  constructor(
    readonly name: string,
    private handler: (event: E) => Promise<R>,
    private readonly options: { timeoutMs: number; concurrency: number; throttle?: boolean },
  ) {}

  /** Fault injection for chaos tests: wraps the handler (e.g. to crash after it committed). */
  intercept(wrap: (handler: (event: E) => Promise<R>) => (event: E) => Promise<R>): void {
    this.handler = wrap(this.handler);
  }

  /** Replaces the handler (a reloaded worker); invocations already running finish on the old one. */
  replace(handler: (event: E) => Promise<R>): void {
    this.handler = handler;
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
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.handler(event),
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
