import { IllegalWorkflowOperationError } from '../common/errors.ts';
import { maybeCurrentSlot } from './current-run.ts';

/**
 * Context-aware globals: inside workflow code (a run's async context) `Date`, `Math.random` and
 * `setTimeout` are deterministic and I/O globals throw; everywhere else they are untouched. See
 * docs/determinism.md for why this mechanism and what it costs.
 */
let installed = false;

function illegal(api: string, instead: string): never {
  throw new IllegalWorkflowOperationError(`${api} is not available in workflow code: ${instead}`);
}

export function installGlobalOverrides(): void {
  if (installed) return;
  installed = true;
  const g = globalThis as Record<string, unknown>;

  const OriginalDate = Date;
  const originalNow = Date.now.bind(Date);
  OriginalDate.now = () => {
    const slot = maybeCurrentSlot();
    return slot ? slot.activator.now : originalNow();
  };
  g.Date = new Proxy(OriginalDate, {
    construct(target, args, newTarget) {
      const slot = maybeCurrentSlot();
      if (slot && args.length === 0) return Reflect.construct(target, [slot.activator.now], newTarget);
      return Reflect.construct(target, args, newTarget);
    },
    apply(target, thisArg, args) {
      const slot = maybeCurrentSlot();
      if (slot) return new OriginalDate(slot.activator.now).toString();
      return Reflect.apply(target, thisArg, args);
    },
  });

  const originalRandom = Math.random;
  Math.random = () => {
    const slot = maybeCurrentSlot();
    return slot ? slot.activator.random() : originalRandom();
  };

  const originalSetTimeout = globalThis.setTimeout;
  const originalClearTimeout = globalThis.clearTimeout;
  const workflowTimers = new WeakMap<object, () => void>();
  g.setTimeout = (...args: Parameters<typeof setTimeout>) => {
    const slot = maybeCurrentSlot();
    if (!slot) return originalSetTimeout(...args);
    const [callback, ms, ...rest] = args;
    const timer = slot.activator.startTimer(Math.max(1, Number(ms ?? 0)), slot.scope);
    const handle = { durableTimer: true };
    workflowTimers.set(handle, timer.cancel);
    timer.promise.then(
      () => (callback as (...a: unknown[]) => void)(...rest),
      () => {},
    );
    return handle;
  };
  g.clearTimeout = (handle: unknown) => {
    if (handle !== null && typeof handle === 'object' && workflowTimers.has(handle)) {
      workflowTimers.get(handle)?.();
      return;
    }
    originalClearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  };

  guardGlobalFunction(g, 'setInterval', 'use a loop around sleep() instead');
  guardGlobalFunction(g, 'setImmediate', 'use sleep() or await a promise instead');
  guardGlobalFunction(g, 'fetch', 'do network I/O in an activity');
  for (const name of ['XMLHttpRequest', 'WebSocket', 'EventSource']) {
    guardGlobalFunction(g, name, 'do network I/O in an activity');
  }
  const crypto = g.crypto as Record<string, unknown> | undefined;
  if (crypto) {
    guardGlobalFunction(
      crypto,
      'getRandomValues',
      'use Math.random() (seeded per run) or uuid4()',
      'crypto.getRandomValues',
    );
    guardGlobalFunction(crypto, 'randomUUID', 'use uuid4() from cairnflow/workflow', 'crypto.randomUUID');
  }
  const performance = g.performance as Record<string, unknown> | undefined;
  if (performance)
    guardGlobalFunction(performance, 'now', 'use Date.now() (workflow time)', 'performance.now');
}

/** Wraps `owner[name]` so that it throws inside workflow code and behaves as before outside it. */
export function guardGlobalFunction(
  owner: Record<string, unknown>,
  name: string,
  instead: string,
  label = name,
): void {
  const original = owner[name];
  if (typeof original !== 'function') return;
  const guarded = new Proxy(original, {
    apply(target, thisArg, args) {
      if (maybeCurrentSlot()) illegal(label, instead);
      return Reflect.apply(target, thisArg, args);
    },
    construct(target, args, newTarget) {
      if (maybeCurrentSlot()) illegal(label, instead);
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    owner[name] = guarded;
  } catch {
    // A frozen or getter-only property: leave it; the guard is best effort for that one API.
  }
}
