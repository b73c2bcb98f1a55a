import { toFailureInfo } from '../common/failures.ts';
import { taskTokenText } from '../common/task-token.ts';
import type { WorkflowServiceApi } from './connection.ts';
import type { PayloadPipeline } from './payload-pipeline.ts';

/** Completing activities that finish outside their worker (`CompleteAsyncError`). */
export class AsyncCompletionClient {
  constructor(
    private readonly service: WorkflowServiceApi,
    private readonly namespace: string,
    private readonly payloads: PayloadPipeline,
  ) {}

  /** Completes the activity; `taskToken` is `activityInfo().taskToken` (bytes) or its `base64TaskToken`. */
  async complete(taskToken: string | Uint8Array, result?: unknown): Promise<void> {
    const token = taskTokenText(taskToken);
    const [payload] = await this.payloads.encode([result]);
    await this.service.completeActivity(this.namespace, token, { type: 'completed', result: payload! });
  }

  async fail(taskToken: string | Uint8Array, error: unknown): Promise<void> {
    const token = taskTokenText(taskToken);
    const failure = await this.payloads.codec.encode(toFailureInfo(error, await this.payloads.converter()));
    await this.service.completeActivity(this.namespace, token, { type: 'failed', failure });
  }

  /** Records progress; resolves to whether the activity's cancellation was requested. */
  async heartbeat(taskToken: string | Uint8Array, details?: unknown): Promise<{ cancelRequested: boolean }> {
    const token = taskTokenText(taskToken);
    const payload = details === undefined ? undefined : (await this.payloads.encode([details]))[0];
    return this.service.heartbeatActivity(this.namespace, token, payload);
  }
}
