/**
 * Runs a function the way Lambda does: with a timeout, and at most `concurrency` invocations at
 * once (reserved concurrency). A timed-out invocation counts as failed; its work may still finish
 * in the background, exactly as a real timed-out Lambda's side effects may have happened.
 */
export class LocalFunction<E, R> {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  invocations = 0;
  errors = 0;

  constructor(
    readonly name: string,
    private handler: (event: E) => Promise<R>,
    private readonly options: { timeoutMs: number; concurrency: number },
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
    while (this.running >= this.options.concurrency)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    this.invocations++;
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
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
