// What the chaos run checks once the workload is over: every history sound and replayable, no run
// left open, no message left in a queue, none in a DLQ, no stream record given up on, every run
// listed as it stands.
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStack } from '../../local/stack.ts';
import type { RunSummary } from '../../sdk/backend/ports.ts';
import type { HistoryEvent } from '../../sdk/engine/events.ts';
import { createWorkerRegistry, type WorkerDefinition } from '../../sdk/runtime/worker-registry.ts';
import { storedHistories, verifyHistory } from '../../sdk/testing/verify-histories.ts';
import { messagesInFlight } from '../support/local-env.ts';

export interface EndState {
  /** History invariant and replay failures, one line each. */
  violations: string[];
  /** Runs still open, one line each. */
  stuck: string[];
  /** Messages left in queues or DLQs, stream records given up on: one line each. */
  leftovers: string[];
  messagesLeft: number;
  deadLettered: number;
  discardedStreamRecords: number;
  /** Attempts the histories record for the activities that closed (a completed third attempt: 3). */
  activityAttempts: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The attempts a history's resolved activities took. */
function attemptsIn(events: HistoryEvent[]): number {
  let attempts = 0;
  for (const event of events) {
    if (event.type === 'ActivityTaskCompleted') attempts += event.attempt;
    else if (
      (event.type === 'ActivityTaskFailed' || event.type === 'ActivityTaskTimedOut') &&
      event.retryState !== 'InProgress'
    )
      attempts += event.attempt;
  }
  return attempts;
}

/**
 * Waits (until `deadline`) for the queues to drain, then inspects everything the stack holds. A
 * delayed message (a timeout watchdog not yet due) is not counted: it is due later, and harmless.
 */
export async function inspectEndState(
  stack: LocalStack,
  worker: WorkerDefinition,
  deadline: number,
  progress: (line: string) => void,
  /** The workflow ids whose outcome a client received: each must be listed. */
  finished: readonly string[],
): Promise<EndState> {
  const queues = [stack.queues.system, ...stack.queues.perTaskQueue.flatMap((q) => [q.workflow, q.activity])];
  let messagesLeft = await messagesInFlight(queues.map((queue) => queue.url));
  while (messagesLeft > 0 && Date.now() < deadline) {
    await pause(500);
    messagesLeft = await messagesInFlight(queues.map((queue) => queue.url));
  }
  progress(
    `queues ${messagesLeft ? `still hold ${messagesLeft} messages` : 'drained'}; reading DLQs and histories`,
  );
  const leftovers: string[] = [];
  if (messagesLeft > 0) {
    for (const queue of queues) {
      const left = await messagesInFlight([queue.url]);
      if (left) leftovers.push(`${left} messages still in ${queue.name} after the drain`);
    }
  }

  const sqs = new SQSClient({ region: 'us-east-1', useQueueUrlAsEndpoint: false });
  let deadLettered = 0;
  for (const queue of queues) {
    // Bounded: a DLQ is read until empty, at most 100 rounds of 10.
    for (let round = 0; round < 100; round++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const messages = out.Messages ?? [];
      if (!messages.length) break;
      deadLettered += messages.length;
      for (const message of messages)
        leftovers.push(`dead-lettered in ${queue.name}: ${(message.Body ?? '').slice(0, 300)}`);
    }
  }
  const discarded = stack.discardedStreamRecords.length;
  if (discarded) leftovers.push(`${discarded} stream records the router gave up on`);

  const registry = createWorkerRegistry(worker);
  const store = stack.runtime.store;
  const violations: string[] = [];
  const stuck: string[] = [];
  let activityAttempts = 0;
  // The list shows every run as it stands (its head), and every workflow a client saw finish.
  const listed = new Map<string, RunSummary>();
  let pageToken: string | undefined;
  for (let page = 0; page === 0 || (pageToken !== undefined && page < 1000); page++) {
    const found = await store.listRuns('default', () => true, 100, pageToken);
    for (const run of found.runs) {
      if (listed.has(run.runId)) violations.push(`${run.workflowId}/${run.runId} is listed twice`);
      listed.set(run.runId, run);
    }
    pageToken = found.nextPageToken;
  }
  const listedIds = new Set([...listed.values()].map((run) => run.workflowId));
  for (const workflowId of finished) {
    if (!listedIds.has(workflowId)) violations.push(`${workflowId} finished but is not listed`);
  }
  for (const run of await storedHistories(store, 'default')) {
    const shown = listed.get(run.state.runId);
    if (shown && (shown.status !== run.state.status || shown.historyLength !== run.state.nextEventId - 1)) {
      violations.push(
        `${run.state.workflowId}/${run.state.runId} is listed as ${shown.status} with ${shown.historyLength} events,` +
          ` its head says ${run.state.status} with ${run.state.nextEventId - 1}`,
      );
    }
    violations.push(...(await verifyHistory(store, run, registry)));
    activityAttempts += attemptsIn(run.events);
    const { state } = run;
    if (state.status === 'Running') {
      const failure = await store.getWorkflowTaskFailure(state.namespace, state.runId);
      stuck.push(
        `${state.workflowType} ${state.workflowId}/${state.runId} is still running` +
          ` (next event ${state.nextEventId}, workflow task ${JSON.stringify(state.workflowTask)}` +
          `${failure ? `, failing: ${failure.cause}: ${failure.failure.message}` : ''})`,
      );
    }
  }
  return {
    violations,
    stuck,
    leftovers,
    messagesLeft,
    deadLettered,
    discardedStreamRecords: discarded,
    activityAttempts,
  };
}
