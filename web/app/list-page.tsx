import { useState } from 'preact/hooks';
import { api } from './api.ts';
import { formatDuration, formatTime } from './format.ts';
import { composeQuery, STATUSES, TIME_RANGES } from './list-query.ts';
import { hrefFor, type Route, runHref } from './route.ts';
import { StatusBadge } from './status-badge.tsx';
import { usePoll } from './use-poll.ts';
import type { RunSummary } from './wire.ts';

type ListRoute = Extract<Route, { page: 'list' }>;

const PAGE_SIZES = ['10', '25', '50', '100'];
const DEFAULT_PAGE_SIZE = '50';
/** Counting reads at most this many runs of the current filter (one page of the API's largest size each). */
const COUNT_PAGES = 2;
const COUNT_PAGE_SIZE = 1000;

interface Counts {
  byStatus: Record<string, number>;
  total: number;
  /** More runs match than were counted. */
  more: boolean;
}

async function countRuns(namespace: string, query: string): Promise<Counts> {
  const byStatus: Record<string, number> = {};
  let total = 0;
  let pageToken: string | undefined;
  for (let page = 0; page < COUNT_PAGES; page++) {
    const result = await api.list(namespace, query, COUNT_PAGE_SIZE, pageToken);
    for (const run of result.runs) byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
    total += result.runs.length;
    pageToken = result.nextPageToken;
    if (!pageToken) break;
  }
  return { byStatus, total, more: pageToken !== undefined };
}

function navigate(route: ListRoute): void {
  location.hash = hrefFor(route);
}

function Filters({ route }: { route: ListRoute }) {
  const [query, setQuery] = useState(route.query);
  const [type, setType] = useState(route.type);
  return (
    <form
      class="filters"
      onSubmit={(event) => {
        event.preventDefault();
        navigate({ ...route, query, type });
      }}
    >
      <label class="grow">
        Query
        <input
          name="query"
          value={query}
          placeholder="WorkflowType = 'orderSaga' AND StartTime > '2026-01-01'"
          onInput={(event) => setQuery(event.currentTarget.value)}
        />
      </label>
      <label>
        Type
        <input
          name="type"
          value={type}
          placeholder="any"
          onInput={(event) => setType(event.currentTarget.value)}
        />
      </label>
      <label>
        Started
        <select
          name="since"
          value={route.since}
          onChange={(event) => navigate({ ...route, query, type, since: event.currentTarget.value })}
        >
          {Object.entries(TIME_RANGES).map(([value, { label }]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Search</button>
    </form>
  );
}

function StatusFilters({ route, counts }: { route: ListRoute; counts: Counts | undefined }) {
  const count = (status?: string) => {
    if (!counts) return '…';
    const n = status ? (counts.byStatus[status] ?? 0) : counts.total;
    return `${n}${counts.more ? '+' : ''}`;
  };
  return (
    <nav class="status-filters" aria-label="Status">
      {['', ...STATUSES].map((status) => (
        <a
          key={status}
          href={hrefFor({ ...route, status })}
          class={route.status === status ? 'chip selected' : 'chip'}
          data-status={status || 'All'}
        >
          {status || 'All'} <span class="count">{count(status || undefined)}</span>
        </a>
      ))}
    </nav>
  );
}

function RunRow({ run, now }: { run: RunSummary; now: number }) {
  const attributes = Object.entries(run.searchAttributes ?? {});
  return (
    <tr>
      <td>
        <StatusBadge status={run.status} />
      </td>
      <td>
        <a href={runHref(run.namespace, run.workflowId, run.runId)} class="mono">
          {run.workflowId}
        </a>
        <div class="muted mono small">{run.runId}</div>
      </td>
      <td>{run.workflowType}</td>
      <td>{run.taskQueue}</td>
      <td class="nowrap">{formatTime(run.startTime)}</td>
      <td class="nowrap">{formatTime(run.closeTime)}</td>
      <td class="nowrap">{formatDuration((run.closeTime ?? now) - run.startTime)}</td>
      <td>
        {attributes.map(([name, value]) => (
          <span key={name} class="tag">
            {name}={Array.isArray(value) ? value.join(',') : String(value)}
          </span>
        ))}
      </td>
    </tr>
  );
}

/** The list of runs: the API's query language, filters, counts, paging and live refresh. */
export function ListPage({ route }: { route: ListRoute }) {
  const [live, setLive] = useState(true);
  // The page tokens of the pages before this one; the first page has none.
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const pageSize = Number(PAGE_SIZES.includes(route.size) ? route.size : DEFAULT_PAGE_SIZE);
  const filterKey = JSON.stringify([
    route.namespace,
    route.query,
    route.status,
    route.type,
    route.since,
    pageSize,
  ]);
  const [pagesKey, setPagesKey] = useState(filterKey);
  if (pagesKey !== filterKey) {
    setPagesKey(filterKey);
    setTokens([undefined]);
  }
  // A relative time range moves by the minute, so the pages of one result set stay put meanwhile.
  const anchor = Math.floor(Date.now() / 60_000) * 60_000;
  const query = composeQuery(route, anchor);
  const countQuery = composeQuery({ ...route, status: '' }, anchor);
  const pageToken = tokens[tokens.length - 1];
  const page = usePoll(
    () => api.list(route.namespace, query, pageSize, pageToken),
    `${filterKey}|${pageToken ?? ''}`,
    live,
  );
  const counts = usePoll(() => countRuns(route.namespace, countQuery), filterKey, live, 5000);
  const now = Date.now();
  return (
    <main>
      <h1>Workflows</h1>
      <Filters route={route} key={filterKey} />
      <StatusFilters route={route} counts={counts.value} />
      <div class="toolbar">
        <span class="muted mono small" data-testid="effective-query">
          {query || 'every run'}
        </span>
        <label class="inline">
          <input type="checkbox" checked={live} onChange={(event) => setLive(event.currentTarget.checked)} />
          Live
        </label>
        <button type="button" onClick={() => page.reload()}>
          Refresh
        </button>
      </div>
      {page.error && (
        <p class="error" role="alert">
          {page.error.message}
        </p>
      )}
      <table class="runs">
        <thead>
          <tr>
            <th>Status</th>
            <th>Workflow ID / Run ID</th>
            <th>Type</th>
            <th>Task queue</th>
            <th>Started</th>
            <th>Closed</th>
            <th>Duration</th>
            <th>Search attributes</th>
          </tr>
        </thead>
        <tbody>
          {page.value?.runs.map((run) => (
            <RunRow key={run.runId} run={run} now={now} />
          ))}
        </tbody>
      </table>
      {page.value && page.value.runs.length === 0 && <p class="muted">No runs match.</p>}
      <div class="pager">
        <button type="button" disabled={tokens.length < 2} onClick={() => setTokens(tokens.slice(0, -1))}>
          Previous
        </button>
        <span class="muted" data-testid="page-number">
          Page {tokens.length}
        </span>
        <button
          type="button"
          disabled={!page.value?.nextPageToken}
          onClick={() => setTokens([...tokens, page.value?.nextPageToken])}
        >
          Next
        </button>
        <label class="inline">
          Per page
          <select
            name="size"
            value={String(pageSize)}
            onChange={(event) => navigate({ ...route, size: event.currentTarget.value })}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
      </div>
    </main>
  );
}
