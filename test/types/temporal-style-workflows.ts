// A workflow module as a Temporal project writes it; type-checked (tsc, strict) against cairnflow/*.
import {
  ActivityFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSearchAttributeKey,
  defineSignal,
  defineUpdate,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  SearchAttributeType,
  setHandler,
  sleep,
  workflowInfo,
} from 'cairnflow/workflow';
import type * as activities from './temporal-style-activities.ts';

const { chargeCard, sendReceipt } = proxyActivities<typeof activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

const { chargeCard: chargeLocally } = proxyLocalActivities<typeof activities>({
  startToCloseTimeout: '5 seconds',
  localRetryThreshold: '10 seconds',
});

export const addNote = defineUpdate<number, [note: string]>('addNote');
const Priority = defineSearchAttributeKey('Priority', SearchAttributeType.INT);

/** Local activities, an update and typed search attributes, as Temporal code has them. */
export async function notesWorkflow(): Promise<number> {
  const notes: string[] = [];
  setHandler(addNote, (note) => notes.push(note));
  const { chargeId } = await chargeLocally('c', 1);
  const priority: number | undefined = workflowInfo().typedSearchAttributes.get(Priority);
  await condition(() => notes.length > 1);
  return notes.length + chargeId.length + (priority ?? 0);
}

// Untyped, as in Temporal: any name, any arguments, any result.
const untyped = proxyActivities({ startToCloseTimeout: '1 minute' });

export const cancelOrder = defineSignal<[reason: string]>('cancelOrder');
export const orderStatus = defineQuery<string>('orderStatus');

export async function orderWorkflow(customerId: string, cents: number): Promise<string> {
  let status = 'new';
  let cancelReason: string | undefined;
  setHandler(orderStatus, () => status);
  setHandler(cancelOrder, (reason) => {
    cancelReason = reason;
  });
  const { chargeId } = await chargeCard(customerId, cents);
  // @ts-expect-error typed activities check their arguments
  await chargeCard(customerId, 'ten');
  const anything: number = await untyped.lookUpPrice('sku-1', { currency: 'EUR' });
  status = `charged ${chargeId} at ${anything}`;
  const scope = new CancellationScope({ cancellable: false, timeout: '1 hour' });
  await scope.run(async () => {
    await scope.cancelRequested.catch((error: unknown) => log.warn('cancel requested', { error }));
  });
  await new CancellationScope().run(() => sendReceipt(chargeId));
  try {
    await CancellationScope.withTimeout('1 day', () => condition(() => cancelReason !== undefined));
  } catch (error) {
    if (!isCancellation(error) && !(error instanceof ActivityFailure)) throw error;
  }
  await sleep('1 second');
  return cancelReason ?? status;
}
