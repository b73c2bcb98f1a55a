import { type Duration, optionalDurationToMs } from '../common/duration.ts';
import type { ParentClosePolicy, WorkflowIdReusePolicy } from '../common/enums.ts';
import { currentSlot } from '../engine/current-run.ts';
import type { SearchAttributes } from '../engine/events.ts';
import type { SignalDefinition } from './handlers.ts';

type WorkflowFn = (...args: never[]) => Promise<unknown>;
type ResultOf<F> = F extends (...args: never[]) => Promise<infer R> ? R : unknown;
// A workflow given only by name infers no parameters (never[]): accept any arguments then.
type ArgsOf<F> = F extends (...args: infer A) => unknown ? (A extends never[] ? unknown[] : A) : unknown[];

/** Options of `startChild` / `executeChild`. */
export interface ChildWorkflowOptions<Args extends unknown[] = unknown[]> {
  args?: Args;
  /** @default a deterministic uuid4 */
  workflowId?: string;
  /** @default the parent's task queue */
  taskQueue?: string;
  /** @default TERMINATE */
  parentClosePolicy?: ParentClosePolicy;
  workflowIdReusePolicy?: WorkflowIdReusePolicy;
  workflowExecutionTimeout?: Duration;
  workflowRunTimeout?: Duration;
  memo?: Record<string, unknown>;
  searchAttributes?: SearchAttributes;
  /** Temporal's cron workflows: the child runs at each matching time, under the same workflow id. */
  cronSchedule?: string;
}

/** A started child workflow, as its parent holds it. */
export interface ChildWorkflowHandle<F extends WorkflowFn = WorkflowFn> {
  workflowId: string;
  /** Run id of the child's first run. */
  firstExecutionRunId: string;
  result(): Promise<ResultOf<F>>;
  signal<Args extends unknown[]>(def: SignalDefinition<Args> | string, ...args: Args): Promise<void>;
}

/**
 * Starts a child workflow and resolves once it has started.
 *
 * @example
 * const child = await startChild(shipOrder, { args: [order], workflowId: `ship-${order.id}` });
 * const tracking = await child.result();
 */
export async function startChild<F extends WorkflowFn = (...args: unknown[]) => Promise<unknown>>(
  workflow: F | string,
  options: ChildWorkflowOptions<ArgsOf<F>> = {},
): Promise<ChildWorkflowHandle<F>> {
  const { activator, scope } = currentSlot('startChild');
  const workflowType = typeof workflow === 'string' ? workflow : workflow.name;
  const workflowId = options.workflowId ?? activator.uuid4();
  const converter = activator.converter;
  const { started, result } = activator.startChild(
    {
      workflowId,
      workflowType,
      taskQueue: options.taskQueue ?? activator.info.taskQueue,
      input: (options.args ?? []).map((arg) => converter.toPayload(arg)),
      parentClosePolicy: options.parentClosePolicy ?? 'TERMINATE',
      workflowIdReusePolicy: options.workflowIdReusePolicy,
      workflowExecutionTimeoutMs: optionalDurationToMs(options.workflowExecutionTimeout),
      workflowRunTimeoutMs: optionalDurationToMs(options.workflowRunTimeout),
      memo: options.memo
        ? Object.fromEntries(Object.entries(options.memo).map(([k, v]) => [k, converter.toPayload(v)]))
        : undefined,
      searchAttributes: options.searchAttributes,
      cronSchedule: options.cronSchedule,
    },
    scope,
  );
  const runId = await started;
  return {
    workflowId,
    firstExecutionRunId: runId,
    result: () => result as Promise<ResultOf<F>>,
    signal: (def, ...args) =>
      activator.signalExternal(workflowId, undefined, typeof def === 'string' ? def : def.name, args, true),
  };
}

/**
 * Starts a child workflow and waits for its result; a failed child rejects with
 * `ChildWorkflowFailure` whose `cause` says why.
 *
 * @example
 * const receipt = await executeChild(chargeCard, { args: [order.total] });
 */
export async function executeChild<F extends WorkflowFn = (...args: unknown[]) => Promise<unknown>>(
  workflow: F | string,
  options: ChildWorkflowOptions<ArgsOf<F>> = {},
): Promise<ResultOf<F>> {
  const handle = await startChild(workflow, options);
  return handle.result();
}

/** A handle to another workflow, for signalling or cancelling it from workflow code. */
export interface ExternalWorkflowHandle {
  workflowId: string;
  runId?: string;
  signal<Args extends unknown[]>(def: SignalDefinition<Args> | string, ...args: Args): Promise<void>;
  cancel(): Promise<void>;
}

/**
 * @example
 * await getExternalWorkflowHandle('order-42').signal(paymentReceived, amount);
 */
export function getExternalWorkflowHandle(workflowId: string, runId?: string): ExternalWorkflowHandle {
  const { activator } = currentSlot('getExternalWorkflowHandle');
  return {
    workflowId,
    runId,
    signal: (def, ...args) =>
      activator.signalExternal(workflowId, runId, typeof def === 'string' ? def : def.name, args, false),
    cancel: () => activator.requestCancelExternal(workflowId, runId, false),
  };
}
