/** What a new start does when a run with the same workflow id exists (Temporal's names). */
export const WorkflowIdReusePolicy = {
  /** A closed run's id may be reused (default). A running one never. */
  ALLOW_DUPLICATE: 'ALLOW_DUPLICATE',
  /** Reuse only if the last run did not complete successfully. */
  ALLOW_DUPLICATE_FAILED_ONLY: 'ALLOW_DUPLICATE_FAILED_ONLY',
  /** Never reuse the id. */
  REJECT_DUPLICATE: 'REJECT_DUPLICATE',
  /** Terminate a running run with this id and start anew. */
  TERMINATE_IF_RUNNING: 'TERMINATE_IF_RUNNING',
} as const;
export type WorkflowIdReusePolicy = (typeof WorkflowIdReusePolicy)[keyof typeof WorkflowIdReusePolicy];

/** What happens to a child workflow when its parent closes (default TERMINATE, as Temporal). */
export const ParentClosePolicy = {
  TERMINATE: 'TERMINATE',
  REQUEST_CANCEL: 'REQUEST_CANCEL',
  ABANDON: 'ABANDON',
} as const;
export type ParentClosePolicy = (typeof ParentClosePolicy)[keyof typeof ParentClosePolicy];

/** What a schedule does when an action is due while an earlier one still runs (Temporal's names). */
export const ScheduleOverlapPolicy = {
  /** Don't start the new action (the default). */
  SKIP: 'SKIP',
  /** Start it when the running one closes; hold at most one such action. */
  BUFFER_ONE: 'BUFFER_ONE',
  /** Start each held action in turn as the one before it closes. */
  BUFFER_ALL: 'BUFFER_ALL',
  /** Cancel the running action, then start the new one once it has closed. */
  CANCEL_OTHER: 'CANCEL_OTHER',
  /** Terminate the running action and start the new one at once. */
  TERMINATE_OTHER: 'TERMINATE_OTHER',
  /** Start the new action whatever is running. */
  ALLOW_ALL: 'ALLOW_ALL',
} as const;
export type ScheduleOverlapPolicy = (typeof ScheduleOverlapPolicy)[keyof typeof ScheduleOverlapPolicy];

/** What update-with-start does when a run with the workflow id is running (Temporal's names). */
export const WorkflowIdConflictPolicy = {
  /** Refuse: `WorkflowExecutionAlreadyStartedError`. */
  FAIL: 'FAIL',
  /** Send the update to the running run. */
  USE_EXISTING: 'USE_EXISTING',
  /** Terminate the running run and start a new one with the update, in one write. */
  TERMINATE_EXISTING: 'TERMINATE_EXISTING',
} as const;
export type WorkflowIdConflictPolicy =
  (typeof WorkflowIdConflictPolicy)[keyof typeof WorkflowIdConflictPolicy];

/** The stages an update passes (Temporal's names). */
export const WorkflowUpdateStage = {
  /** The engine has the request. Cairn never answers at this stage: it is not yet durable. */
  ADMITTED: 'ADMITTED',
  /** The workflow's validator accepted the update (or rejected it: then it is also complete). */
  ACCEPTED: 'ACCEPTED',
  /** The update's handler returned or threw. */
  COMPLETED: 'COMPLETED',
} as const;
export type WorkflowUpdateStage = (typeof WorkflowUpdateStage)[keyof typeof WorkflowUpdateStage];
