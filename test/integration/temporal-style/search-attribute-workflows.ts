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

export const PlacedAt = wf.defineSearchAttributeKey('PlacedAt', wf.SearchAttributeType.DATETIME);
export const Attempts = wf.defineSearchAttributeKey('Attempts', wf.SearchAttributeType.INT);

/** Reads its typed search attributes (workflowInfo().typedSearchAttributes), before and after an upsert. */
export async function readTypedAttributes() {
  const before = wf.workflowInfo().typedSearchAttributes;
  const placedAt = before.get(PlacedAt);
  const read = {
    total: before.get(OrderTotal),
    placedAt: placedAt instanceof Date ? placedAt.toISOString() : placedAt,
    attempts: before.get(Attempts),
    stageAsNumber: before.get(wf.defineSearchAttributeKey('Stage', wf.SearchAttributeType.INT)),
    all: before
      .getAll()
      .map((pair) => `${pair.key.name}:${pair.key.type}`)
      .sort(),
  };
  wf.upsertSearchAttributes([
    { key: Stage, value: 'shipped' },
    { key: OrderTotal, value: null },
  ]);
  const after = wf.workflowInfo().typedSearchAttributes;
  return { ...read, stageAfter: after.get(Stage), totalAfter: after.get(OrderTotal) ?? 'removed' };
}
