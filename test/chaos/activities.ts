// The chaos run's activities, built around the fault injector's mid-activity seam.
import { ApplicationFailure, activityInfo, heartbeat, sleep } from 'cairnflow/activity';

export interface ChaosActivities {
  flaky(value: number, failures: number): Promise<number>;
  beat(steps: number): Promise<number>;
  square(n: number): Promise<number>;
  blob(bytes: number): Promise<string>;
  checksum(text: string): Promise<number>;
}

/** What the activities report as they run: the injector's seam, and a count of executions. */
export interface ActivitySeam {
  /** Called as each execution starts (the fault injector may crash the invocation running it). */
  activityStarted(): void;
}

/** A deterministic function of the text (the run checks results against it). */
export function checksumOf(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i += 997) sum = (sum + text.charCodeAt(i)) % 65_521;
  return sum + text.length;
}

/** The text `blob(bytes)` returns. */
export function blobOf(bytes: number): string {
  return `${'x'.repeat(bytes - 7)}the-end`;
}

/** The activities, and how many times their code ran (every attempt, duplicate and crashed one). */
export function chaosActivities(seam: ActivitySeam): { activities: ChaosActivities; executions(): number } {
  let executions = 0;
  const started = () => {
    executions++;
    seam.activityStarted();
  };
  const activities: ChaosActivities = {
    async flaky(value, failures) {
      started();
      if (activityInfo().attempt <= failures)
        throw ApplicationFailure.create({
          message: `attempt ${activityInfo().attempt} fails`,
          type: 'Flaky',
        });
      return value * 2 + 1;
    },
    async beat(steps) {
      started();
      const from = (activityInfo().heartbeatDetails as number | undefined) ?? 0;
      for (let step = from + 1; step <= steps; step++) {
        await sleep(20);
        heartbeat(step);
      }
      return (steps * (steps + 1)) / 2;
    },
    async square(n) {
      started();
      return n * n;
    },
    async blob(bytes) {
      started();
      return blobOf(bytes);
    },
    async checksum(text) {
      started();
      return checksumOf(text);
    },
  };
  return { activities, executions: () => executions };
}
