import { useEffect, useState } from 'preact/hooks';
import { Actions } from './actions.tsx';
import { api, fullHistory } from './api.ts';
import { EventTable } from './event-table.tsx';
import { FailureChain } from './failure-chain.tsx';
import { formatDuration, formatTime, payloadsText, payloadText } from './format.ts';
import { Children, PendingWork, StuckReason } from './pending-work.tsx';
import { hrefFor, type Route, runHref } from './route.ts';
import { StatusBadge } from './status-badge.tsx';
import { TimelineView } from './timeline.tsx';
import { buildTimeline } from './timeline-model.ts';
import { usePoll } from './use-poll.ts';
import type { HistoryEvent, Payload, WorkflowDescription } from './wire.ts';

type RunRoute = Extract<Route, { page: 'run' }>;

async function loadRun(route: RunRoute) {
  const description = await api.describe(route.namespace, route.workflowId, route.runId);
  const events = await fullHistory(route.namespace, route.workflowId, description.runId);
  return { description, events };
}

function eventOf<T extends HistoryEvent['type']>(events: HistoryEvent[], type: T) {
  return events.find((event): event is Extract<HistoryEvent, { type: T }> => event.type === type);
}

function Field({ name, children }: { name: string; children: preact.ComponentChildren }) {
  return (
    <>
      <dt>{name}</dt>
      <dd data-field={name}>{children}</dd>
    </>
  );
}

function Summary({
  description,
  events,
  now,
}: {
  description: WorkflowDescription;
  events: HistoryEvent[];
  now: number;
}) {
  const started = eventOf(events, 'WorkflowExecutionStarted');
  const ns = description.namespace;
  return (
    <dl class="summary">
      <Field name="Workflow ID">
        <span class="mono">{description.workflowId}</span>
      </Field>
      <Field name="Run ID">
        <span class="mono">{description.runId}</span>
      </Field>
      <Field name="Type">{description.workflowType}</Field>
      <Field name="Task queue">{description.taskQueue}</Field>
      <Field name="Namespace">{ns}</Field>
      <Field name="Started">{formatTime(description.startTime)}</Field>
      <Field name="Closed">{formatTime(description.closeTime)}</Field>
      <Field name="Duration">
        {formatDuration((description.closeTime ?? now) - description.startTime)}
        {description.closeTime === undefined && ' so far'}
      </Field>
      <Field name="History length">{description.historyLength} events</Field>
      {description.parent && (
        <Field name="Parent">
          <a
            href={runHref(
              description.parent.namespace,
              description.parent.workflowId,
              description.parent.runId,
            )}
          >
            {description.parent.workflowId}
          </a>
        </Field>
      )}
      {started?.continuedFromRunId && (
        <Field name="Continued from">
          <a href={runHref(ns, description.workflowId, started.continuedFromRunId)} class="mono">
            {started.continuedFromRunId}
          </a>
        </Field>
      )}
      {description.continuedAsNewRunId && (
        <Field name="Continued as new">
          <a href={runHref(ns, description.workflowId, description.continuedAsNewRunId)} class="mono">
            {description.continuedAsNewRunId}
          </a>
        </Field>
      )}
      {started && started.firstRunId !== description.runId && (
        <Field name="First run of the chain">
          <a href={runHref(ns, description.workflowId, started.firstRunId)} class="mono">
            {started.firstRunId}
          </a>
        </Field>
      )}
      {description.cancelRequested && <Field name="Cancellation">requested</Field>}
    </dl>
  );
}

function Values({ title, values }: { title: string; values: Record<string, Payload | unknown> }) {
  const entries = Object.entries(values);
  return (
    <section>
      <h2>{title}</h2>
      {entries.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <dl class="summary">
          {entries.map(([name, value]) => (
            <Field key={name} name={name}>
              <pre>
                {title === 'Memo'
                  ? payloadText(value as Payload)
                  : Array.isArray(value)
                    ? value.join(', ')
                    : String(value)}
              </pre>
            </Field>
          ))}
        </dl>
      )}
    </section>
  );
}

function Outcome({ description, events }: { description: WorkflowDescription; events: HistoryEvent[] }) {
  const completed = eventOf(events, 'WorkflowExecutionCompleted');
  const terminated = eventOf(events, 'WorkflowExecutionTerminated');
  if (completed) {
    return (
      <section>
        <h2>Result</h2>
        <pre data-testid="result">{payloadText(completed.result)}</pre>
      </section>
    );
  }
  if (!description.failure) return null;
  return (
    <section>
      <h2>Failure</h2>
      {terminated?.reason && <p>Terminated: {terminated.reason}</p>}
      <FailureChain failure={description.failure} />
    </section>
  );
}

/** One run: its state, why it is stuck if it is, its pending work, its history, and actions on it. */
export function RunPage({ route }: { route: RunRoute }) {
  const [tab, setTab] = useState<'timeline' | 'events'>('timeline');
  const [live, setLive] = useState(true);
  const key = JSON.stringify([route.namespace, route.workflowId, route.runId]);
  // A closed run changes no more: it is loaded once, not polled.
  const [closedKey, setClosedKey] = useState<string | undefined>(undefined);
  const loaded = usePoll(() => loadRun(route), key, live && closedKey !== key);
  const status = loaded.value?.description.status;
  useEffect(() => {
    if (status && status !== 'Running') setClosedKey(key);
  }, [status, key]);
  const now = Date.now();
  const back = (
    <a
      href={hrefFor({
        page: 'list',
        namespace: route.namespace,
        query: '',
        status: '',
        type: '',
        since: '',
        size: '',
      })}
    >
      ← Workflows
    </a>
  );
  if (!loaded.value) {
    return (
      <main>
        {back}
        {loaded.error ? (
          <p class="error" role="alert">
            {loaded.error.message}
          </p>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </main>
    );
  }
  const { description, events } = loaded.value;
  const started = eventOf(events, 'WorkflowExecutionStarted');
  const timeline = buildTimeline(events);
  const open = description.status === 'Running';
  return (
    <main>
      {back}
      <header class="run-header">
        <h1 class="mono">{description.workflowId}</h1>
        <StatusBadge status={description.status} />
        <label class="inline">
          <input type="checkbox" checked={live} onChange={(event) => setLive(event.currentTarget.checked)} />
          Live
        </label>
      </header>
      {loaded.error && (
        <p class="error" role="alert">
          {loaded.error.message}
        </p>
      )}
      <Actions
        target={{
          namespace: description.namespace,
          workflowId: description.workflowId,
          runId: description.runId,
          open,
        }}
        onDone={() => loaded.reload()}
      />
      {description.workflowTaskFailure && <StuckReason failure={description.workflowTaskFailure} now={now} />}
      <Summary description={description} events={events} now={now} />
      <section>
        <h2>Input</h2>
        <pre data-testid="input">{payloadsText(started?.input)}</pre>
      </section>
      <Outcome description={description} events={events} />
      {open && <PendingWork description={description} rows={timeline.rows} now={now} />}
      {!open && timeline.rows.some((row) => row.kind === 'child') && (
        <section>
          <Children namespace={description.namespace} rows={timeline.rows} />
        </section>
      )}
      <Values title="Memo" values={description.memo} />
      <Values title="Search attributes" values={description.searchAttributes} />
      <section>
        <nav class="tabs">
          <button
            type="button"
            class={tab === 'timeline' ? 'selected' : ''}
            onClick={() => setTab('timeline')}
          >
            Timeline
          </button>
          <button type="button" class={tab === 'events' ? 'selected' : ''} onClick={() => setTab('events')}>
            Events ({events.length})
          </button>
        </nav>
        {tab === 'timeline' ? (
          <TimelineView
            events={events}
            closeTime={description.closeTime}
            now={now}
            namespace={description.namespace}
          />
        ) : (
          <EventTable events={events} />
        )}
      </section>
    </main>
  );
}
