import type { WorkerRequest, WorkerResponse } from '../backend/ports.ts';
import { QueryRejectedError, WorkflowNotFoundError } from '../common/errors.ts';
import { ServerFailure, toFailureInfo } from '../common/failures.ts';
import type { RuntimeDeps } from './deps.ts';
import type { WorkerRegistry } from './worker-registry.ts';
import { cacheKey, loadReplayer, processWorkflowTask } from './workflow-task.ts';

/**
 * Serves what must run where the workflow code is: queries (answered by replay, read-only) and
 * updates (validated and applied in a workflow task). Called in-process by the time-skipping
 * environment, and by a synchronous Lambda invoke in the cloud.
 */
export async function handleWorkerRequest(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  request: WorkerRequest,
): Promise<WorkerResponse> {
  switch (request.kind) {
    case 'query':
      return { kind: 'query', result: await answerQuery(deps, worker, request) };
    case 'update': {
      const input = await worker.codec.decode(request.input);
      const result = await processWorkflowTask(deps, worker, request.ref, {
        update: { updateId: request.updateId, updateName: request.updateName, input },
      });
      if (result.outcome === 'failed') {
        const failure = new ServerFailure(
          `Workflow task failed while handling the update: ${result.failure.failure.message}`,
          true,
        );
        return { kind: 'update', accepted: false, failure: toFailureInfo(failure, worker.converter) };
      }
      const decision = result.update;
      if (!decision) {
        const failure = new ServerFailure('The workflow did not take the update', true);
        return { kind: 'update', accepted: false, failure: toFailureInfo(failure, worker.converter) };
      }
      return decision.accepted
        ? { kind: 'update', accepted: true }
        : { kind: 'update', accepted: false, failure: await worker.codec.encode(decision.failure) };
    }
    case 'workflowTask': {
      const result = await processWorkflowTask(deps, worker, request.ref);
      return { kind: 'workflowTask', outcome: result.outcome };
    }
    default: {
      const unknown: never = request;
      throw new TypeError(`Unknown worker request ${JSON.stringify(unknown)}`);
    }
  }
}

async function answerQuery(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  request: Extract<WorkerRequest, { kind: 'query' }>,
) {
  const { ref } = request;
  let state = await deps.store.getRun(ref.namespace, ref.runId);
  if (!state) throw new WorkflowNotFoundError(`Run ${ref.runId} not found`, ref.workflowId, ref.runId);
  // A pending workflow task runs first, so the answer reflects every event already recorded
  // (and a run that just started has its handlers registered), as Temporal does.
  if (state.workflowTask) {
    await processWorkflowTask(deps, worker, ref);
    state = (await deps.store.getRun(ref.namespace, ref.runId)) ?? state;
  }
  const key = cacheKey(ref.namespace, ref.runId);
  const current = state;
  return worker.cache.exclusive(key, async () => {
    const replayer = await loadReplayer(deps, worker, current, []);
    const input = await worker.codec.decode(request.input);
    try {
      const answer = replayer.activator.query(request.queryName, input);
      if (current.status === 'Running') worker.cache.set(key, replayer);
      return (await worker.codec.encode([answer]))[0]!;
    } catch (error) {
      // A handler that tried to issue a command may have touched the replayer's sequence numbers.
      worker.cache.delete(key);
      if (error instanceof QueryRejectedError) throw error;
      throw new QueryRejectedError(`Query '${request.queryName}' failed: ${(error as Error).message}`);
    }
  });
}
