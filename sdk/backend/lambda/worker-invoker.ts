import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { rehydrateError } from '../../common/error-codes.ts';
import { CairnError, UnknownTaskQueueError, WorkerUnavailableError } from '../../common/errors.ts';
import type { WorkerInvoker, WorkerRequest, WorkerResponse } from '../ports.ts';

/**
 * Invokes a task queue's worker function synchronously (Lambda `Invoke`, RequestResponse), for
 * queries and updates: the API's {@link WorkerInvoker} in the cloud. `functions` maps each task
 * queue to the name of the worker function serving it (`CAIRN_WORKER_FUNCTIONS`).
 */
export class LambdaWorkerInvoker implements WorkerInvoker {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functions: Record<string, string>,
  ) {}

  async invoke(taskQueue: string, request: WorkerRequest): Promise<WorkerResponse> {
    const functionName = this.functions[taskQueue];
    if (!functionName) throw new UnknownTaskQueueError(taskQueue, Object.keys(this.functions));
    const out = await this.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: Buffer.from(JSON.stringify({ cairnWorkerRequest: request })),
      }),
    );
    const body = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString() || 'null') as
      | WorkerResponse
      | { error: { code: string; message: string } }
      | null;
    if (body && 'error' in body) {
      const { code, message } = body.error;
      throw rehydrateError(code, message) ?? new CairnError(`${code}: ${message}`);
    }
    if (out.FunctionError || !body) {
      // It crashed or timed out without answering: a fault of the moment, not of the request.
      throw new WorkerUnavailableError(
        `The worker function of task queue '${taskQueue}' failed before answering (${out.FunctionError ?? 'no response'}); send the request again`,
      );
    }
    return body;
  }
}
