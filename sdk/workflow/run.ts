import { normalizeSearchAttributeUpdates, type SearchAttributeInput } from '../common/search-attributes.ts';
import { type SearchAttributeUpdatePair, typedToRecord } from '../common/typed-search-attributes.ts';
import { ContinueAsNewRequest } from '../engine/continue-as-new.ts';
import { currentSlot, maybeCurrentSlot } from '../engine/current-run.ts';
import type { SearchAttributes } from '../engine/events.ts';
import type { WorkflowInfo } from '../engine/workflow-info.ts';

/**
 * What the workflow knows about its run.
 *
 * @example
 * if (workflowInfo().continueAsNewSuggested) await continueAsNew(state);
 */
export function workflowInfo(): WorkflowInfo {
  return currentSlot('workflowInfo').activator.info;
}

/** Options of {@link makeContinueAsNewFunc}. */
export interface ContinueAsNewOptions {
  workflowType?: string;
  taskQueue?: string;
  workflowRunTimeout?: number;
  memo?: Record<string, unknown>;
  searchAttributes?: SearchAttributes;
}

/**
 * Closes this run and starts a new one with the same workflow id and fresh history, atomically.
 *
 * @example
 * if (count % 10 === 0) await continueAsNew<typeof counter>(count);
 */
export function continueAsNew<F extends (...args: never[]) => Promise<unknown>>(
  ...args: Parameters<F>
): Promise<never> {
  return makeContinueAsNewFunc<F>()(...args);
}

/** A `continueAsNew` with options (another workflow type or task queue). */
export function makeContinueAsNewFunc<F extends (...args: never[]) => Promise<unknown>>(
  options: ContinueAsNewOptions = {},
): (...args: Parameters<F>) => Promise<never> {
  return (...args) => {
    const { activator } = currentSlot('continueAsNew');
    const converter = activator.converter;
    return Promise.reject(
      new ContinueAsNewRequest({
        workflowType: options.workflowType ?? activator.info.workflowType,
        taskQueue: options.taskQueue ?? activator.info.taskQueue,
        input: (args as unknown[]).map((arg) => converter.toPayload(arg)),
        workflowRunTimeoutMs: options.workflowRunTimeout ?? activator.info.runTimeoutMs,
        memo: options.memo
          ? Object.fromEntries(Object.entries(options.memo).map(([k, v]) => [k, converter.toPayload(v)]))
          : undefined,
        searchAttributes: options.searchAttributes ?? activator.info.searchAttributes,
      }),
    );
  };
}

/**
 * A deterministic version-4 UUID (the same on every replay of the run).
 *
 * @example
 * const requestId = uuid4();
 */
export function uuid4(): string {
  return currentSlot('uuid4').activator.uuid4();
}

/**
 * Versioning: true when this code path should take the change `patchId`. Running workflows that
 * started before the change keep the old path on replay; new runs take the new one.
 *
 * @example
 * if (patched('send-sms')) await sendSms(user); else await sendEmail(user);
 */
export function patched(patchId: string): boolean {
  return currentSlot('patched').activator.patched(patchId, false);
}

/** Marks a patch as always taken, once no run that predates it remains open. */
export function deprecatePatch(patchId: string): void {
  currentSlot('deprecatePatch').activator.patched(patchId, true);
}

/**
 * Adds, replaces or removes search attributes of the run; they show in `describe` and in list
 * queries. Takes Cairn's values, Temporal's arrays (`[42]`; `[]` removes), or typed pairs
 * (`[{ key, value }]`; `value: null` removes).
 *
 * @example
 * upsertSearchAttributes({ CustomerId: 'c-42', OrderTotal: 99.5 });
 * upsertSearchAttributes([{ key: OrderTotal, value: null }]);
 */
export function upsertSearchAttributes(
  attributes: Record<string, SearchAttributeInput> | readonly SearchAttributeUpdatePair[],
): void {
  const { activator } = currentSlot('upsertSearchAttributes');
  const normalized = normalizeSearchAttributeUpdates(
    Array.isArray(attributes)
      ? typedToRecord(attributes)
      : (attributes as Record<string, SearchAttributeInput>),
  );
  const info = activator.info.searchAttributes;
  for (const [key, value] of Object.entries(normalized)) {
    if (value === null) delete info[key];
    else info[key] = value;
  }
  activator.pushCommand({ type: 'UpsertWorkflowSearchAttributes', searchAttributes: normalized });
}

function emit(level: 'debug' | 'info' | 'warn' | 'error', message: string, attrs: unknown[]): void {
  const slot = maybeCurrentSlot();
  if (slot) slot.activator.log(level, message, attrs);
  else console[level === 'debug' ? 'debug' : level](message, ...attrs);
}

/**
 * Replay-aware logger: silent while history is replayed, so each line appears once per run.
 *
 * @example
 * log.info('credit checked', { score });
 */
export const log = {
  /** Cairn's engine logs have no level below debug: trace entries are logged at debug. */
  trace: (message: string, ...attrs: unknown[]) => emit('debug', message, attrs),
  debug: (message: string, ...attrs: unknown[]) => emit('debug', message, attrs),
  info: (message: string, ...attrs: unknown[]) => emit('info', message, attrs),
  warn: (message: string, ...attrs: unknown[]) => emit('warn', message, attrs),
  error: (message: string, ...attrs: unknown[]) => emit('error', message, attrs),
};

/** True while this code runs as part of a workflow. */
export function inWorkflowContext(): boolean {
  return maybeCurrentSlot() !== undefined;
}
