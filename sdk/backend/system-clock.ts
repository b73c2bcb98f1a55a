import type { Clock } from './ports.ts';

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
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
