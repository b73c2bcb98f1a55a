import { currentSlot } from '../engine/current-run.ts';

/** A signal: a named, fire-and-forget message to a running workflow. */
export interface SignalDefinition<Args extends unknown[] = []> {
  type: 'signal';
  name: string;
  /** Phantom marker carrying the argument types. */
  readonly __args?: Args;
}

/** A query: a named, read-only question answered from the workflow's state. */
export interface QueryDefinition<Ret, Args extends unknown[] = []> {
  type: 'query';
  name: string;
  readonly __args?: Args;
  readonly __ret?: Ret;
}

/** An update: a named request that may change state, validated first, answered with a result. */
export interface UpdateDefinition<Ret, Args extends unknown[] = []> {
  type: 'update';
  name: string;
  readonly __args?: Args;
  readonly __ret?: Ret;
}

/** @example export const approve = defineSignal<[approver: string]>('approve'); */
export function defineSignal<Args extends unknown[] = []>(name: string): SignalDefinition<Args> {
  return { type: 'signal', name };
}

/** @example export const status = defineQuery<string>('status'); */
export function defineQuery<Ret, Args extends unknown[] = []>(name: string): QueryDefinition<Ret, Args> {
  return { type: 'query', name };
}

/** @example export const setLimit = defineUpdate<number, [limit: number]>('setLimit'); */
export function defineUpdate<Ret, Args extends unknown[] = []>(name: string): UpdateDefinition<Ret, Args> {
  return { type: 'update', name };
}

/** Options of an update handler: a validator that throws to reject the update before it is recorded. */
export interface UpdateHandlerOptions<Args extends unknown[]> {
  validator?: (...args: Args) => void;
}

type Untyped = (...args: unknown[]) => unknown;

/**
 * Registers (or with `undefined`, removes) the handler of a signal, query or update. Signals that
 * arrived before their handler was set are delivered when it is.
 *
 * @example
 * setHandler(approve, (approver) => { approvedBy = approver; });
 * setHandler(status, () => state);
 * setHandler(setLimit, (limit) => (current = limit), { validator: (limit) => { if (limit < 0) throw new Error('negative'); } });
 */
export function setHandler<Args extends unknown[]>(
  definition: SignalDefinition<Args>,
  handler: ((...args: Args) => void | Promise<void>) | undefined,
): void;
export function setHandler<Ret, Args extends unknown[]>(
  definition: QueryDefinition<Ret, Args>,
  handler: ((...args: Args) => Ret) | undefined,
): void;
export function setHandler<Ret, Args extends unknown[]>(
  definition: UpdateDefinition<Ret, Args>,
  handler: ((...args: Args) => Ret | Promise<Ret>) | undefined,
  options?: UpdateHandlerOptions<Args>,
): void;
export function setHandler(
  definition:
    | SignalDefinition<unknown[]>
    | QueryDefinition<unknown, unknown[]>
    | UpdateDefinition<unknown, unknown[]>,
  handler: Untyped | undefined,
  options?: UpdateHandlerOptions<unknown[]>,
): void {
  const { activator } = currentSlot('setHandler');
  switch (definition.type) {
    case 'signal':
      activator.setSignalHandler(definition.name, handler);
      return;
    case 'query':
      activator.setQueryHandler(definition.name, handler);
      return;
    case 'update':
      activator.setUpdateHandler(
        definition.name,
        handler ? { handler, validator: options?.validator as Untyped | undefined } : undefined,
      );
      return;
  }
}

/** True when no signal or update handler is still running: `await condition(allHandlersFinished)`. */
export function allHandlersFinished(): boolean {
  return currentSlot('allHandlersFinished').activator.allHandlersFinished();
}
