import { WorkflowIdConflictPolicy, type WorkflowUpdateStage } from '../common/enums.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import type { WorkflowStartOptions } from './client.ts';
import type { WorkflowHandle } from './workflow-handle.ts';

export { WorkflowIdConflictPolicy };

type WorkflowFn = (...args: never[]) => Promise<unknown>;
type ArgsOf<F> = F extends (...args: infer A) => unknown ? (A extends never[] ? unknown[] : A) : unknown[];
type ResultOf<F> = F extends (...args: never[]) => Promise<infer R> ? R : unknown;

/** A start's options for update-with-start: `workflowIdConflictPolicy` is required, as in Temporal. */
export type WithStartWorkflowOptions<F> = WorkflowStartOptions<ArgsOf<F>> & {
  workflowIdConflictPolicy: WorkflowIdConflictPolicy;
};

/** Options of `executeUpdateWithStart` / `startUpdateWithStart`. */
export interface UpdateWithStartOptions<Args extends unknown[], F> {
  args?: Args;
  updateId?: string;
  startWorkflowOperation: WithStartWorkflowOperation<F>;
}

const POLICIES = Object.values(WorkflowIdConflictPolicy) as string[];

/**
 * The workflow-start half of update-with-start (`client.workflow.executeUpdateWithStart` /
 * `startUpdateWithStart`): which workflow to start, and what to do if it is running. Single use;
 * `workflowHandle()` resolves once the call has started (or found) the run, whether or not the
 * update then succeeds.
 *
 * @example
 * const op = WithStartWorkflowOperation.create(cart, { workflowId: 'cart-7', taskQueue: 'shop', workflowIdConflictPolicy: 'USE_EXISTING' });
 * const total = await client.workflow.executeUpdateWithStart(addItem, { args: ['apple'], startWorkflowOperation: op });
 * const handle = await op.workflowHandle();
 */
export class WithStartWorkflowOperation<F = WorkflowFn> {
  private used = false;
  private resolveHandle!: (handle: WorkflowHandle<ResultOf<F>>) => void;
  private rejectHandle!: (error: unknown) => void;
  private readonly handlePromise: Promise<WorkflowHandle<ResultOf<F>>>;

  constructor(
    readonly workflowTypeOrFunc: F | string,
    readonly options: WithStartWorkflowOptions<F>,
  ) {
    if (!options || typeof options !== 'object')
      throw new InvalidArgumentError(
        'WithStartWorkflowOperation needs options { workflowId, taskQueue, workflowIdConflictPolicy }',
      );
    if (!POLICIES.includes(options.workflowIdConflictPolicy as string)) {
      throw new InvalidArgumentError(
        `workflowIdConflictPolicy must be one of ${POLICIES.join(', ')} (update-with-start needs it), not ${JSON.stringify(options.workflowIdConflictPolicy)}`,
      );
    }
    this.handlePromise = new Promise((resolve, reject) => {
      this.resolveHandle = resolve;
      this.rejectHandle = reject;
    });
    // A call that fails before any run exists rejects this too; the caller sees that error already.
    this.handlePromise.catch(() => {});
  }

  /** Temporal's other spelling: `WithStartWorkflowOperation.create(fn, options)`. */
  static create<F extends WorkflowFn | string>(
    workflowTypeOrFunc: F,
    options: WithStartWorkflowOptions<F>,
  ): WithStartWorkflowOperation<F> {
    return new WithStartWorkflowOperation<F>(workflowTypeOrFunc, options);
  }

  /** The run's handle, once update-with-start has started or found it. */
  workflowHandle(): Promise<WorkflowHandle<ResultOf<F>>> {
    return this.handlePromise;
  }

  /** @internal Marks the operation used; a second use is refused. */
  claim(): void {
    if (this.used) throw new InvalidArgumentError('This WithStartWorkflowOperation has already been used');
    this.used = true;
  }

  /** @internal */
  settle(outcome: { handle: WorkflowHandle<ResultOf<F>> } | { error: unknown }): void {
    if ('handle' in outcome) this.resolveHandle(outcome.handle);
    else this.rejectHandle(outcome.error);
  }
}

export type { WorkflowUpdateStage };
