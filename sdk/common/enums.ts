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
