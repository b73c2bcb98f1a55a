// Workflows for the local-stack integration tests (real time: short timers only).
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from 'cairnflow/workflow';

export interface LocalActivities {
  square(n: number): Promise<number>;
  blob(bytes: number): Promise<string>;
  checksum(text: string): Promise<number>;
  echo(text: string): Promise<string>;
}

const acts = proxyActivities<LocalActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', maximumAttempts: 5 },
});

export const add = defineSignal<[n: number]>('add');
export const finish = defineSignal('finish');
export const total = defineQuery<number>('total');
export const setLimit = defineUpdate<number, [limit: number]>('setLimit');

/** Accumulates signalled numbers until `finish`; an update changes the cap, validated. */
export async function accumulator(tag: string): Promise<number> {
  let sum = 0;
  let limit = 100;
  let done = false;
  upsertSearchAttributes({ Tag: tag });
  setHandler(add, (n) => {
    sum = Math.min(limit, sum + n);
  });
  setHandler(finish, () => {
    done = true;
  });
  setHandler(total, () => sum);
  setHandler(
    setLimit,
    (value) => {
      limit = value;
      sum = Math.min(sum, limit);
      return sum;
    },
    {
      validator: (value) => {
        if (value < 0) throw new Error('limit must not be negative');
      },
    },
  );
  await condition(() => done);
  return sum;
}

export async function squares(count: number): Promise<number[]> {
  const results: number[] = [];
  for (let i = 1; i <= count; i++) results.push(await acts.square(i));
  return results;
}

/** Schedules `count` activities in one workflow task. */
export async function fanOut(count: number): Promise<number[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => acts.square(i)));
}

export async function parentOfSquares(n: number): Promise<number> {
  const values = await executeChild(squares, { args: [n], workflowId: `squares-child-of-${n}` });
  return values.reduce((a, b) => a + b, 0);
}

export async function countdown(n: number): Promise<string> {
  await sleep('100ms');
  if (n > 0) return continueAsNew<typeof countdown>(n - 1);
  return 'liftoff';
}

/** Produces a large activity result (offloaded to S3) and hands it to another activity. */
export async function bigPayload(bytes: number): Promise<{ length: number; checksum: number }> {
  const text = await acts.blob(bytes);
  return { length: text.length, checksum: await acts.checksum(text) };
}

/** Returns what an activity makes of its input (`${text}-result`). */
export async function echoActivity(text: string): Promise<string> {
  return acts.echo(text);
}
