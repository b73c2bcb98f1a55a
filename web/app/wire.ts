// The API's shapes as the UI reads them: the wire types the API parses and documents with
// (type-only imports, erased from the bundle), so a change to what the API returns fails the UI's
// type check instead of its users.
export type { FailureInfo } from '../../sdk/common/failures.ts';
export type { Payload } from '../../sdk/common/payload.ts';
export type { WorkflowDescription } from '../../sdk/common/wire/description.ts';
export type { RunPage, RunSummary } from '../../sdk/common/wire/run-summary.ts';
export type { SchedulePage, ScheduleSummary } from '../../sdk/common/wire/schedule.ts';
export type { WorkflowTaskFailure } from '../../sdk/common/wire/workflow-task-failure.ts';
export type { HistoryEvent } from '../../sdk/engine/events.ts';
