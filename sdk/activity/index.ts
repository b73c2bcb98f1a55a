/**
 * `cairnflow/activity`: what activity code imports.
 *
 * @example
 * import { Context, heartbeat, activityInfo, ApplicationFailure } from 'cairnflow/activity';
 */
export { ApplicationFailure, ApplicationFailureCategory, CancelledFailure } from '../common/failures.ts';
export type { ActivityInfo, WorkflowExecution } from './activity-info.ts';
export {
  activityInfo,
  CompleteAsyncError,
  Context,
  cancellationSignal,
  heartbeat,
  log,
  sleep,
} from './context.ts';
