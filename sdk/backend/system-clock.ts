import type { Clock } from './ports.ts';

/**
 * The longest delay `setTimeout` takes (a signed 32-bit count of ms, about 24.8 days): Node runs a
 * longer one after 1 ms instead. Longer sleeps wait in steps of at most this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock, for the Lambda handlers and the local stack. Its own module, apart from the
 * virtual clock of `memory/`, so that a Lambda bundle reaches no in-memory backend code.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, options = {}) =>
    new Promise<void>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const due = Date.now() + ms;
      let timer: NodeJS.Timeout | undefined;
      // A 30-day scheduleToClose watchdog must not fire after 1 ms: wait in steps Node can time.
      const wait = (left: number) => {
        timer = setTimeout(
          () => {
            const rest = due - Date.now();
            if (rest > 0) return wait(rest);
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          Math.min(Math.max(0, left), MAX_TIMER_MS),
        );
      };
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      wait(ms);
    }),
};
