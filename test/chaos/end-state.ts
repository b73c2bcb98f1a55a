// What the chaos run checks once the workload is over: every history sound and replayable, no run
// left open, no message left in a queue, none in a DLQ, no stream record given up on.
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStack } from '../../local/stack.ts';
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
  for (const run of await storedHistories(store, 'default')) {
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
