import { formatDuration, formatTime } from './format.ts';
import './timeline.css';
import { runHref } from './route.ts';
import { buildTimeline, type Segment, type TimelineRow } from './timeline-model.ts';
import type { HistoryEvent } from './wire.ts';

interface Axis {
  start: number;
  end: number;
}

function position(axis: Axis, from: number, to: number) {
  const span = Math.max(axis.end - axis.start, 1);
  const left = Math.min(Math.max((from - axis.start) / span, 0), 1);
  const right = Math.min(Math.max((to - axis.start) / span, 0), 1);
  // A bar is always visible, even an instant one.
  return { left: `${left * 100}%`, width: `max(${(right - left) * 100}%, 3px)` };
}

function Bar({ segment, axis }: { segment: Segment; axis: Axis }) {
  const end = segment.end ?? axis.end;
  const title = `${segment.label}: ${formatTime(segment.start)} → ${
    segment.end === undefined ? 'now' : formatTime(segment.end)
  } (${formatDuration(end - segment.start)})`;
  return <span class={`bar bar-${segment.state}`} style={position(axis, segment.start, end)} title={title} />;
}

function Row({ row, axis, namespace }: { row: TimelineRow; axis: Axis; namespace: string }) {
  const attempts = row.segments.filter((segment) => segment.state !== 'waiting').length;
  return (
    <li class={`timeline-row kind-${row.kind}`} data-testid="timeline-row" data-name={row.name}>
      <div class="timeline-label">
        <span class="row-name">{row.name}</span>
        <span class={`row-outcome outcome-${row.outcome.replace(' ', '-')}`}>{row.outcome}</span>
        {row.kind === 'activity' && attempts > 1 && <span class="muted small">{attempts} attempts</span>}
        {row.kind === 'timer' && row.outcome === 'open' && row.due !== undefined && (
          <span class="muted small">fires {formatTime(row.due)}</span>
        )}
        {row.child && (
          <a class="small" href={runHref(namespace, row.child.workflowId, row.child.runId)}>
            {row.child.workflowId}
          </a>
        )}
      </div>
      <div class="timeline-track">
        {row.segments.map((segment, index) => (
          <Bar key={index} segment={segment} axis={axis} />
        ))}
      </div>
      {row.notes.length > 0 && (
        <ul class="timeline-notes">
          {row.notes.map((note, index) => (
            <li key={index}>{note}</li>
          ))}
        </ul>
      )}
    </li>
  );
}

/** The run's history as bars over time: activities with each attempt and retry wait, timers, children, updates. */
export function TimelineView({
  events,
  closeTime,
  now,
  namespace,
}: {
  events: HistoryEvent[];
  closeTime?: number;
  now: number;
  namespace: string;
}) {
  const timeline = buildTimeline(events);
  // An open run's timeline ends now: a 30-day timer must not squash everything else into a sliver.
  const last = events[events.length - 1]?.eventTime ?? timeline.start;
  const axis = { start: timeline.start, end: Math.max(closeTime ?? now, last, timeline.start + 1) };
  return (
    <section class="timeline" data-testid="timeline">
      <div class="timeline-axis muted small">
        <span>{formatTime(axis.start)}</span>
        <span>{formatDuration(axis.end - axis.start)}</span>
        <span>{closeTime === undefined ? 'now' : formatTime(axis.end)}</span>
      </div>
      {timeline.rows.length === 0 && <p class="muted">No activities, timers, children or updates yet.</p>}
      <ol class="timeline-rows">
        {timeline.rows.map((row) => (
          <Row key={row.eventId} row={row} axis={axis} namespace={namespace} />
        ))}
      </ol>
      {timeline.marks.length > 0 && (
        <div class="timeline-row kind-marks">
          <div class="timeline-label">
            <span class="row-name">signals and requests</span>
          </div>
          <div class="timeline-track">
            {timeline.marks.map((mark) => (
              <span
                key={mark.eventId}
                class="mark"
                style={{ left: position(axis, mark.time, mark.time).left }}
                title={`${mark.label} at ${formatTime(mark.time)} (event ${mark.eventId})`}
              />
            ))}
          </div>
          <ul class="timeline-notes">
            {timeline.marks.map((mark) => (
              <li key={mark.eventId}>
                {formatTime(mark.time)} {mark.label}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="legend small muted">
        <span class="bar-key bar-completed" /> completed <span class="bar-key bar-failed" /> failed attempt{' '}
        <span class="bar-key bar-waiting" /> waiting to retry <span class="bar-key bar-open" /> running /
        pending <span class="bar-key bar-canceled" /> canceled
      </div>
    </section>
  );
}
