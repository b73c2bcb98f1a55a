import * as wf from 'cairnflow/workflow';

export const OrderTotal = wf.defineSearchAttributeKey('OrderTotal', wf.SearchAttributeType.DOUBLE);
export const Stage = wf.defineSearchAttributeKey('Stage', wf.SearchAttributeType.KEYWORD);

/** Moves its counter on and drops its flag, Temporal's untyped way, then waits an hour. */
export async function untypedAttributes(): Promise<void> {
  wf.upsertSearchAttributes({ CustomIntField: [43], CustomBoolField: [] });
  await wf.sleep('1 hour');
}

/** Sets a stage and clears the total with typed keys, then waits an hour. */
export async function typedAttributes(): Promise<void> {
  wf.upsertSearchAttributes([
    { key: Stage, value: 'packed' },
    { key: OrderTotal, value: null },
  ]);
  await wf.sleep('1 hour');
}
