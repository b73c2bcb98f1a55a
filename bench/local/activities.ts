import { activityInfo } from 'cairnflow/activity';

/** Timestamps (`nowMs`) a benchmark wants at each activity's start and end; unset, nothing happens. */
export const activityProbe: {
  onStart?: (index: number) => void;
  onEnd?: (index: number) => void;
  /** Attempts after the first: a bench run should have none (a watchdog fired or a task failed). */
  retries: number;
} = { retries: 0 };

/**
 * The local-stack benchmark's one activity: trivial, so what is measured is the engine's cost per
 * step. It runs in the bench process (the local Lambda host), so it can report to the probe.
 */
export const localBenchActivities = {
  async step(index: number): Promise<number> {
    if (activityInfo().attempt > 1) activityProbe.retries++;
    activityProbe.onStart?.(index);
    activityProbe.onEnd?.(index);
    return index;
  },
};
