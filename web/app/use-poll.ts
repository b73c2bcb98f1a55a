import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** What {@link usePoll} holds: the last value, the last error, and a way to load again now. */
export interface Polled<T> {
  value?: T;
  error?: Error;
  loading: boolean;
  reload(): void;
}

/**
 * Loads `load()` now, again whenever `key` changes, and every `intervalMs` while `live` — one load
 * at a time, so a slow API never piles requests up. Answers of an older key are dropped.
 */
export function usePoll<T>(load: () => Promise<T>, key: string, live: boolean, intervalMs = 2000): Polled<T> {
  const [state, setState] = useState<{ value?: T; error?: Error; loading: boolean }>({ loading: true });
  const current = useRef(key);
  const running = useRef(false);
  const loader = useRef(load);
  loader.current = load;
  const reload = useCallback(() => {
    if (running.current) return;
    running.current = true;
    const asked = current.current;
    setState((previous) => ({ ...previous, loading: true }));
    loader
      .current()
      .then(
        (value) => asked === current.current && setState({ value, loading: false }),
        (error: Error) =>
          asked === current.current && setState((previous) => ({ ...previous, error, loading: false })),
      )
      .finally(() => (running.current = false));
  }, []);
  useEffect(() => {
    current.current = key;
    running.current = false;
    setState({ loading: true });
    reload();
  }, [key, reload]);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(reload, intervalMs);
    return () => clearInterval(timer);
  }, [live, intervalMs, reload]);
  return { ...state, reload };
}
