import { useState } from 'preact/hooks';
import { api } from './api.ts';
import { formatDuration, formatRelative, formatTime } from './format.ts';
import { type Route, runHref } from './route.ts';
import { usePoll } from './use-poll.ts';
import type { SchedulePage, ScheduleSummary } from './wire.ts';

type SchedulesRoute = Extract<Route, { page: 'schedules' }>;

/** Every schedule of the namespace, page by page (at most a few pages: a namespace holds few schedules). */
async function allSchedules(namespace: string): Promise<ScheduleSummary[]> {
  const schedules: ScheduleSummary[] = [];
  let pageToken: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page: SchedulePage = await api.schedules(namespace, pageToken);
    schedules.push(...page.schedules);
    pageToken = page.nextPageToken;
    if (!pageToken) break;
  }
  return schedules;
}

/** When a schedule acts, in a line: its cron expressions, intervals and calendars, and time zone. */
function specText(spec: ScheduleSummary['spec']): string {
  const parts = [
    ...(spec.cronExpressions ?? []),
    ...(spec.intervals ?? []).map(
      (i) => `every ${formatDuration(i.everyMs)}${i.offsetMs ? ` + ${formatDuration(i.offsetMs)}` : ''}`,
    ),
    ...(spec.calendars ?? []).map((c) => c.comment ?? 'calendar'),
  ];
  return `${parts.join(', ')}${spec.timezone ? ` (${spec.timezone})` : ''}`;
}

function ScheduleRow({
  schedule,
  namespace,
  now,
}: {
  schedule: ScheduleSummary;
  namespace: string;
  now: number;
}) {
  const next = schedule.info.nextActionTimes[0];
  const last = schedule.info.recentActions.at(-1);
  return (
    <tr data-testid="schedule-row" data-schedule-id={schedule.scheduleId}>
      <td class="mono">{schedule.scheduleId}</td>
      <td>
        <span
          class={`badge ${schedule.state.paused ? 'status-Canceled' : 'status-Running'}`}
          data-testid="schedule-state"
        >
          {schedule.state.paused ? 'Paused' : 'Active'}
        </span>
        {schedule.state.note && <div class="muted small">{schedule.state.note}</div>}
      </td>
      <td class="mono">{schedule.action.workflowType}</td>
      <td class="mono small" data-testid="schedule-spec">
        {specText(schedule.spec)}
      </td>
      <td class="nowrap" data-testid="schedule-next">
        {next === undefined || schedule.state.paused
          ? '—'
          : `${formatTime(next)} (${formatRelative(next, now)})`}
      </td>
      <td>
        {last ? (
          <a href={runHref(namespace, last.workflowId, last.firstExecutionRunId)} class="mono">
            {last.workflowId}
          </a>
        ) : (
          <span class="muted">none yet</span>
        )}
      </td>
    </tr>
  );
}

/** The namespace's schedules: state, spec, next action and the run of the latest one. */
export function SchedulesPage({ route }: { route: SchedulesRoute }) {
  const [live, setLive] = useState(true);
  const schedules = usePoll(() => allSchedules(route.namespace), route.namespace, live, 5000);
  const now = Date.now();
  return (
    <main>
      <h1>Schedules</h1>
      <div class="toolbar">
        <span class="muted small">
          Created and changed with <span class="mono">client.schedule</span> or{' '}
          <span class="mono">cairn schedule</span>
        </span>
        <label class="inline">
          <input type="checkbox" checked={live} onChange={(event) => setLive(event.currentTarget.checked)} />
          Live
        </label>
        <button type="button" onClick={() => schedules.reload()}>
          Refresh
        </button>
      </div>
      {schedules.error && (
        <p class="error" role="alert">
          {schedules.error.message}
        </p>
      )}
      <table class="runs schedules">
        <thead>
          <tr>
            <th>Schedule ID</th>
            <th>State</th>
            <th>Workflow type</th>
            <th>Spec</th>
            <th>Next action</th>
            <th>Latest run</th>
          </tr>
        </thead>
        <tbody>
          {schedules.value?.map((schedule) => (
            <ScheduleRow
              key={schedule.scheduleId}
              schedule={schedule}
              namespace={route.namespace}
              now={now}
            />
          ))}
        </tbody>
      </table>
      {schedules.value && schedules.value.length === 0 && (
        <p class="muted">No schedules in this namespace.</p>
      )}
    </main>
  );
}
