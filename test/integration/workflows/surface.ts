// Workflows exercising the rest of the Temporal surface, used by test/integration/surface.test.ts.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  deprecatePatch,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from 'cairnflow/workflow';

export interface SurfaceActivities {
  double(n: number): Promise<number>;
  waitForCancel(): Promise<string>;
  record(entry: string): Promise<void>;
}

const acts = proxyActivities<SurfaceActivities>({ startToCloseTimeout: '1 minute' });
const cancellable = proxyActivities<SurfaceActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '10s',
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
});

// ---- updates -----------------------------------------------------------------------------------
export const addItem = defineUpdate<number, [item: string, quantity: number]>('addItem');
export const checkout = defineSignal('checkout');
export const items = defineQuery<Record<string, number>>('items');

/** A cart whose updates are validated (quantity 1..10) and may await an activity. */
export async function cart(): Promise<Record<string, number>> {
  const contents: Record<string, number> = {};
  let done = false;
  setHandler(items, () => contents);
  setHandler(checkout, () => void (done = true));
  setHandler(
    addItem,
    async (item, quantity) => {
      contents[item] = (contents[item] ?? 0) + (await acts.double(quantity)) / 2;
      return Object.values(contents).reduce((a, b) => a + b, 0);
    },
    {
      validator: (_item, quantity) => {
        if (!Number.isInteger(quantity) || quantity < 1 || quantity > 10)
          throw new Error(`quantity ${quantity} out of range 1..10`);
      },
    },
  );
  await condition(() => done);
  return contents;
}

// ---- children ----------------------------------------------------------------------------------
export async function childDoubler(n: number): Promise<number> {
  if (n < 0) throw ApplicationFailure.nonRetryable(`negative input ${n}`, 'NegativeInput');
  return acts.double(n);
}

export async function parentSum(values: number[]): Promise<number> {
  const results = await Promise.all(
    values.map((value, i) =>
      executeChild(childDoubler, { args: [value], workflowId: `${workflowInfo().workflowId}-child-${i}` }),
    ),
  );
  return results.reduce((a, b) => a + b, 0);
}

export const ping = defineSignal<[from: string]>('ping');

export async function pingable(): Promise<string> {
  let from = '';
  setHandler(ping, (sender) => void (from = sender));
  await condition(() => from !== '');
  return `pinged by ${from}`;
}

/** Starts a child, signals it through its handle, and returns the child's answer. */
export async function parentSignalsChild(): Promise<string> {
  const child = await startChild(pingable, { workflowId: `${workflowInfo().workflowId}-pingable` });
  await child.signal(ping, 'parent');
  return child.result();
}

/** Starts a long-sleeping child and then sleeps itself (to be cancelled). */
export async function parentOfSleeper(): Promise<void> {
  await startChild(longSleeper, { workflowId: `${workflowInfo().workflowId}-sleeper` });
  await sleep('10 days');
}

export async function longSleeper(): Promise<void> {
  await sleep('30 days');
}

/** Signals another workflow by id, then cancels a third one. */
export async function externalCaller(target: string, victim: string): Promise<string> {
  await getExternalWorkflowHandle(target).signal(ping, 'external');
  await getExternalWorkflowHandle(victim).cancel();
  try {
    await getExternalWorkflowHandle('no-such-workflow').signal(ping, 'nobody');
    return 'unexpected';
  } catch (error) {
    return `missing target: ${(error as Error).message}`;
  }
}

// ---- continue-as-new ---------------------------------------------------------------------------
/** Counts to `target`, continuing as new every 10 steps. */
export async function counter(count: number, target: number): Promise<{ count: number; runs: number }> {
  let runs = Number(workflowInfo().searchAttributes.Runs ?? 1);
  while (count < target) {
    count = await acts.double(count).then((doubled) => doubled / 2 + 1);
    if (count % 10 === 0 && count < target) {
      runs++;
      upsertSearchAttributes({ Runs: runs });
      return continueAsNew<typeof counter>(count, target);
    }
  }
  return { count, runs: Number(workflowInfo().searchAttributes.Runs ?? 1) };
}

// ---- cancellation scopes -----------------------------------------------------------------------
export async function raceWithTimeout(): Promise<string> {
  try {
    await CancellationScope.withTimeout('5 minutes', () => sleep('1 hour'));
    return 'finished in time';
  } catch (error) {
    return isCancellation(error) ? 'timed out by scope' : `other: ${String(error)}`;
  }
}

/** Cancels a running activity that waits for cancellation (WAIT_CANCELLATION_COMPLETED). */
export async function cancelActivityScope(): Promise<string> {
  const scope = new CancellationScope({ cancellable: true, parent: CancellationScope.current() });
  const running = scope.run(() => cancellable.waitForCancel());
  await sleep('30 seconds');
  scope.cancel();
  try {
    return await running;
  } catch (error) {
    return isCancellation(error) ? 'activity cancelled' : `other: ${String(error)}`;
  }
}

// ---- versioning --------------------------------------------------------------------------------
export async function deprecated(): Promise<string> {
  deprecatePatch('v2');
  return 'v2 path';
}

// ---- search attributes -------------------------------------------------------------------------
export const finish = defineSignal('finish');

export async function tagged(customer: string): Promise<void> {
  let finished = false;
  setHandler(finish, () => void (finished = true));
  upsertSearchAttributes({ CustomerId: customer, Stage: 'waiting' });
  await condition(() => finished);
  upsertSearchAttributes({ Stage: 'done' });
}

// ---- timeouts ----------------------------------------------------------------------------------
export async function sleepsLong(): Promise<void> {
  await sleep('2 days');
}

export async function echoWorkflow(value: unknown): Promise<unknown> {
  return value;
}
