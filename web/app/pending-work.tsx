import { FailureChain } from './failure-chain.tsx';
import { formatRelative, formatTime, payloadText } from './format.ts';
import { runHref } from './route.ts';
import type { TimelineRow } from './timeline-model.ts';
import type { WorkflowDescription, WorkflowTaskFailure } from './wire.ts';

/** What an operator can do about each reason a run is stuck. */
const REMEDIES: Record<WorkflowTaskFailure['cause'], string> = {
  WorkflowError:
    'The workflow code throws while deciding its next step: fix the code and deploy; the task is retried.',
  NonDeterminism:
    'The code no longer replays this history: restore the old code path (or guard the change with patched()) and deploy.',
  UnknownWorkflowType: 'No worker of this task queue registers the workflow type: deploy a worker that does.',
  DeadLettered:
    'A task of this run kept failing and was moved to the dead-letter queue: fix the cause, then `cairn dlq redrive`.',
  UnknownTaskQueue:
    'No worker serves the task queue of this task; it was set aside: add a worker for that task queue, then redrive.',
};

/** Why the run does not move, if it does not: its workflow task keeps failing or a task was set aside. */
export function StuckReason({ failure, now }: { failure: WorkflowTaskFailure; now: number }) {
  return (
    <section class="stuck" data-testid="stuck" role="alert">
      <h2>
        Stuck: <span class="mono">{failure.cause}</span>
      </h2>
      <p>{REMEDIES[failure.cause]}</p>
      <p class="muted small">
        Attempt {failure.attempt}, last at {formatTime(failure.time)} (event {failure.eventId})
        {failure.retryAt !== undefined &&
          ` · next retry ${formatTime(failure.retryAt)} (${formatRelative(failure.retryAt, now)})`}
      </p>
      <FailureChain failure={failure.failure} />
    </section>
  );
}

type PendingActivity = WorkflowDescription['pendingActivities'][number];

function ActivityRow({ activity, now }: { activity: PendingActivity; now: number }) {
  return (
    <tr data-testid="pending-activity">
      <td>{activity.activityType}</td>
      <td class="mono">{activity.activityId}</td>
      <td data-testid="attempt">{activity.attempt}</td>
      <td class="nowrap">{formatTime(activity.scheduledTime)}</td>
      <td class="nowrap" data-testid="next-retry">
        {activity.nextAttemptTime === undefined
          ? '—'
          : `${formatTime(activity.nextAttemptTime)} (${formatRelative(activity.nextAttemptTime, now)})`}
      </td>
      <td data-testid="heartbeat">
        {activity.lastHeartbeatTime === undefined ? (
          '—'
        ) : (
          <>
            <pre>{payloadText(activity.heartbeatDetails)}</pre>
            <span class="muted small">{formatRelative(activity.lastHeartbeatTime, now)}</span>
          </>
        )}
      </td>
      <td>{activity.lastFailure ? <FailureChain failure={activity.lastFailure} /> : '—'}</td>
    </tr>
  );
}

/** The run's open work: activities (with retry state), timers and children. */
export function PendingWork({
  description,
  rows,
  now,
}: {
  description: WorkflowDescription;
  rows: TimelineRow[];
  now: number;
}) {
  const timers = rows.filter((row) => row.kind === 'timer' && row.outcome === 'open');
  const activities = description.pendingActivities;
  return (
    <section class="pending">
      <h2>Pending activities ({activities.length})</h2>
      {activities.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Type</th>
              <th>Activity id</th>
              <th>Attempt</th>
              <th>Scheduled</th>
              <th>Next retry</th>
              <th>Last heartbeat</th>
              <th>Last failure</th>
            </tr>
          </thead>
          <tbody>
            {activities.map((activity) => (
              <ActivityRow key={activity.scheduledEventId} activity={activity} now={now} />
            ))}
          </tbody>
        </table>
      )}
      <h2>Pending timers ({timers.length})</h2>
      {timers.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul data-testid="pending-timers">
          {timers.map((timer) => (
            <li key={timer.eventId}>
              {timer.name}, started {formatTime(timer.segments[0]!.start)}, fires {formatTime(timer.due)} (
              {formatRelative(timer.due!, now)}, event {timer.eventId})
            </li>
          ))}
        </ul>
      )}
      <Children namespace={description.namespace} rows={rows} />
    </section>
  );
}

/** The run's child workflows, open or closed, each linking to its own page. */
export function Children({ namespace, rows }: { namespace: string; rows: TimelineRow[] }) {
  const children = rows.filter((row) => row.kind === 'child');
  return (
    <>
      <h2>Children ({children.length})</h2>
      {children.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul data-testid="children">
          {children.map((child) => (
            <li key={child.eventId}>
              <a href={runHref(namespace, child.child!.workflowId, child.child!.runId)}>
                {child.child!.workflowId}
              </a>{' '}
              {child.name} · {child.outcome}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
