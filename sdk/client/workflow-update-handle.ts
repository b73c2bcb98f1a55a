import { WorkflowUpdateStage } from '../common/enums.ts';
import { InvalidArgumentError, WorkflowUpdateFailedError } from '../common/errors.ts';
import type { UpdateOutcome } from '../common/wire/messages.ts';
import type { WorkflowServiceApi } from './connection.ts';
import type { PayloadPipeline } from './payload-pipeline.ts';

export { WorkflowUpdateStage };

/**
 * A handle to one update, as `startUpdate` / `getUpdateHandle` / `startUpdateWithStart` return it
 * (Temporal's `WorkflowUpdateHandle`).
 *
 * @example
 * const update = await handle.startUpdate(addItem, { args: ['apple'], waitForStage: WorkflowUpdateStage.ACCEPTED });
 * const total = await update.result();
 */
export class WorkflowUpdateHandle<Ret = unknown> {
  constructor(
    private readonly service: WorkflowServiceApi,
    private readonly namespace: string,
    private readonly payloads: PayloadPipeline,
    readonly updateId: string,
    readonly workflowId: string,
    /** The run the update went to (undefined: the latest run, for a handle made by id alone). */
    readonly workflowRunId: string | undefined,
    private outcome?: UpdateOutcome,
    /** For messages: the update's name, when this client sent it. */
    private readonly updateName?: string,
  ) {}

  /**
   * The update's result, waiting for it to complete. A rejected update or a handler that threw
   * rejects with `WorkflowUpdateFailedError` (the cause says why); an unknown update id with
   * `WorkflowUpdateNotFoundError`.
   */
  async result(): Promise<Ret> {
    while (!this.outcome) {
      const response = await this.service.pollUpdate(
        this.namespace,
        this.workflowId,
        this.workflowRunId,
        this.updateId,
        'COMPLETED',
      );
      this.outcome = response.outcome;
    }
    if ('result' in this.outcome) return this.payloads.decode<Ret>(this.outcome.result);
    const cause = await this.payloads.decodeFailure(this.outcome.failure);
    const what = this.updateName ? `Update '${this.updateName}'` : `Update ${this.updateId}`;
    throw new WorkflowUpdateFailedError(`${what} failed: ${cause.message}`, cause);
  }
}

/** The stage a start-update call waits for: ACCEPTED (the default) or COMPLETED; ADMITTED is refused. */
export function checkWaitForStage(stage: unknown): 'ACCEPTED' | 'COMPLETED' {
  if (stage === undefined || stage === WorkflowUpdateStage.ACCEPTED) return 'ACCEPTED';
  if (stage === WorkflowUpdateStage.COMPLETED) return 'COMPLETED';
  if (stage === WorkflowUpdateStage.ADMITTED) {
    throw new InvalidArgumentError(
      'waitForStage ADMITTED is not supported: an admitted update is not yet durable; wait for ACCEPTED or COMPLETED',
    );
  }
  throw new InvalidArgumentError(
    `waitForStage must be WorkflowUpdateStage.ACCEPTED or .COMPLETED, not ${JSON.stringify(stage)}`,
  );
}
