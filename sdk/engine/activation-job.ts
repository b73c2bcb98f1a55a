import type { FailureInfo } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type { LocalActivityOutcome } from './local-activities.ts';

/** One thing that happened to the run since its last workflow task, in the order replay applies it. */
export type ActivationJob =
  | { kind: 'start'; input: Payload[] }
  | { kind: 'resolveActivity'; seq: number; result: Payload }
  | { kind: 'failActivity'; seq: number; failure: FailureInfo }
  | { kind: 'fireTimer'; seq: number }
  | { kind: 'signal'; name: string; input: Payload[] }
  | { kind: 'cancelWorkflow'; reason?: string }
  | { kind: 'update'; updateId: string; name: string; input: Payload[]; alreadyAccepted: boolean }
  | { kind: 'resolveChildStart'; seq: number; runId: string }
  | { kind: 'failChildStart'; seq: number; failure: FailureInfo }
  | { kind: 'resolveChild'; seq: number; result: Payload }
  | { kind: 'failChild'; seq: number; failure: FailureInfo }
  | { kind: 'resolveExternal'; seq: number; failure?: FailureInfo }
  | { kind: 'resolveLocalActivity'; outcome: LocalActivityOutcome };

/**
 * The jobs in the order one activation applies them: the start first (it registers handlers),
 * then signals, cancellation and updates, so their handlers run before resumed code reads state,
 * then everything else, each group in history order.
 */
export function inActivationOrder(jobs: readonly ActivationJob[]): ActivationJob[] {
  return [
    ...jobs.filter((job) => job.kind === 'start'),
    ...jobs.filter(isHandlerJob),
    ...jobs.filter((job) => job.kind !== 'start' && !isHandlerJob(job)),
  ];
}

function isHandlerJob(job: ActivationJob): boolean {
  return job.kind === 'signal' || job.kind === 'update' || job.kind === 'cancelWorkflow';
}
