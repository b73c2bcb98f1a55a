// Workflows written the way Temporal's TypeScript samples write them; only the imports differ.
import * as wf from 'cairnflow/workflow';
import type * as activities from './activities.ts';

const { chargeSubscription, fetchQuote, slowQuote } = wf.proxyActivities<typeof activities>({
  startToCloseTimeout: '1 minute',
});

export const cancelSubscription = wf.defineSignal('cancelSubscription');
export const billingPeriods = wf.defineQuery<number>('billingPeriods');

/** Bills every 30 days until cancelled by a signal. */
export async function subscription(customerId: string): Promise<number> {
  let cancelled = false;
  let periods = 0;
  wf.setHandler(cancelSubscription, () => {
    cancelled = true;
  });
  wf.setHandler(billingPeriods, () => periods);
  while (!cancelled && periods < 24) {
    await chargeSubscription(customerId, periods + 1);
    periods++;
    await wf.condition(() => cancelled, '30 days');
  }
  return periods;
}

/** Races a quote activity against a timer; the loser is cancelled. */
export async function quoteWithDeadline(symbol: string, slow: boolean): Promise<string> {
  const timer = wf.sleep('10 seconds').then(() => 'timeout' as const);
  const quote = (slow ? slowQuote(symbol) : fetchQuote(symbol)).then((price) => `quote ${price}`);
  return Promise.race([timer, quote]);
}

export type DoorState = 'closed' | 'open' | 'locked';
export const transition = wf.defineUpdate<DoorState, [event: 'open' | 'close' | 'lock' | 'unlock']>(
  'transition',
);
export const done = wf.defineSignal('done');

const allowed: Record<DoorState, Partial<Record<'open' | 'close' | 'lock' | 'unlock', DoorState>>> = {
  closed: { open: 'open', lock: 'locked' },
  open: { close: 'closed' },
  locked: { unlock: 'closed' },
};

/** A door as an update-driven state machine: invalid transitions are rejected by the validator. */
export async function door(): Promise<DoorState[]> {
  let state: DoorState = 'closed';
  let finished = false;
  const trail: DoorState[] = [state];
  wf.setHandler(done, () => {
    finished = true;
  });
  wf.setHandler(
    transition,
    (event) => {
      state = allowed[state][event]!;
      trail.push(state);
      return state;
    },
    {
      validator: (event) => {
        if (!allowed[state][event]) throw new Error(`cannot ${event} a ${state} door`);
      },
    },
  );
  await wf.condition(() => finished && wf.allHandlersFinished());
  return trail;
}
