import { DeterminismViolationError } from '../common/errors.ts';
import type { StoredPayloadConverter } from '../common/payload.ts';
import type { PayloadConverter } from '../common/payload-converter.ts';
import { storedPayloadConverter } from '../common/stored-payload.ts';
import type { WorkflowFunction } from '../engine/activator.ts';
import type { HistoryEvent } from '../engine/events.ts';
import { Replayer } from '../engine/replayer.ts';

/** Options of {@link replayHistory}. */
export interface ReplayOptions {
  /** A module object of workflow functions (as given to a worker). */
  workflows: object;
  /** The converter the workers use. @default defaultPayloadConverter */
  converter?: PayloadConverter;
  namespace?: string;
  runId?: string;
}

/**
 * Replays a recorded history with the given workflow code and checks that the code issues exactly
 * the commands history recorded. Throws `DeterminismViolationError` naming the event if not; any
 * error workflow code throws during replay is thrown too.
 *
 * @example
 * await replayHistory({ workflows }, JSON.parse(readFileSync('loan.history.json', 'utf8')));
 */
export async function replayHistory(options: ReplayOptions, events: readonly HistoryEvent[]): Promise<void> {
  await replayWithStoredConverter(
    { ...options, converter: storedPayloadConverter(options.converter) },
    events,
  );
}

/** `replayHistory` with the engine's converter (a worker's, already adapted to stored payloads). */
export async function replayWithStoredConverter(
  options: Omit<ReplayOptions, 'converter'> & { converter: StoredPayloadConverter },
  events: readonly HistoryEvent[],
): Promise<void> {
  const started = events[0];
  if (started?.type !== 'WorkflowExecutionStarted') {
    throw new TypeError('A history must begin with WorkflowExecutionStarted');
  }
  const workflowFn = (options.workflows as Record<string, unknown>)[started.workflowType];
  if (typeof workflowFn !== 'function') {
    throw new TypeError(`Workflow type '${started.workflowType}' is not among the given workflows`);
  }
  const replayer = new Replayer(started, {
    namespace: options.namespace ?? 'default',
    runId: options.runId ?? started.randomSeed,
    workflowFn: workflowFn as WorkflowFunction,
    converter: options.converter,
  });
  await replayer.replay(events);
  replayer.assertFullyMatched();
}

export { DeterminismViolationError };
