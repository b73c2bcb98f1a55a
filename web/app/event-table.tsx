import { useState } from 'preact/hooks';
import { formatTime } from './format.ts';
import type { HistoryEvent } from './wire.ts';

/** A one-line gist of an event, so the table reads without opening every row. */
function gist(event: HistoryEvent): string {
  switch (event.type) {
    case 'ActivityTaskScheduled':
      return `${event.activityType} (id ${event.activityId}) on ${event.taskQueue}`;
    case 'ActivityTaskStarted':
    case 'ActivityTaskCompleted':
      return `scheduled event ${event.scheduledEventId}, attempt ${event.attempt}`;
    case 'ActivityTaskFailed':
    case 'ActivityTaskTimedOut':
      return `attempt ${event.attempt}: ${event.failure.message} (${event.retryState})`;
    case 'TimerStarted':
      return `${event.durationMs} ms, fires ${formatTime(event.fireTime)}`;
    case 'WorkflowExecutionSignaled':
      return event.signalName;
    case 'WorkflowExecutionUpdateAccepted':
      return `${event.updateName} (${event.updateId})`;
    case 'WorkflowTaskFailed':
      return `${event.cause}: ${event.failure.message}`;
    case 'WorkflowExecutionFailed':
      return event.failure.message;
    case 'WorkflowExecutionTerminated':
    case 'WorkflowExecutionCancelRequested':
      return event.reason ?? '';
    case 'StartChildWorkflowExecutionInitiated':
      return `${event.workflowType} ${event.workflowId}`;
    case 'WorkflowExecutionContinuedAsNew':
      return `new run ${event.newRunId}`;
    default:
      return '';
  }
}

function EventRow({ event }: { event: HistoryEvent }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr class="event-row" onClick={() => setOpen(!open)} data-testid="event-row">
        <td class="mono">{event.eventId}</td>
        <td class="nowrap">{formatTime(event.eventTime)}</td>
        <td class="mono">{event.type}</td>
        <td>{gist(event)}</td>
        <td>
          <button type="button" class="link" aria-expanded={open}>
            {open ? 'hide' : 'JSON'}
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={5}>
            <pre class="event-json">{JSON.stringify(event, null, 2)}</pre>
          </td>
        </tr>
      )}
    </>
  );
}

/** Every history event, oldest first, each with its JSON a click away. */
export function EventTable({ events }: { events: HistoryEvent[] }) {
  return (
    <table class="events" data-testid="events">
      <thead>
        <tr>
          <th>Id</th>
          <th>Time</th>
          <th>Type</th>
          <th>Summary</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <EventRow key={event.eventId} event={event} />
        ))}
      </tbody>
    </table>
  );
}
