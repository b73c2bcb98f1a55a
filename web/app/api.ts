import type {
  FailureInfo,
  HistoryEvent,
  Payload,
  RunPage,
  SchedulePage,
  WorkflowDescription,
} from './wire.ts';

/** An error answer of the API (or of the server in front of it), with its message as the API said it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    const message = error?.message ?? (parsed as { message?: string } | undefined)?.message ?? text;
    throw new ApiError(
      response.status,
      error?.code ?? `Http${response.status}`,
      message || response.statusText,
    );
  }
  return parsed as T;
}

const enc = encodeURIComponent;
const workflows = (namespace: string) => `/v1/namespaces/${enc(namespace)}/workflows`;
const workflow = (namespace: string, workflowId: string) => `${workflows(namespace)}/${enc(workflowId)}`;
const run = (runId: string | undefined, extra: Record<string, string | undefined> = {}) => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ runId, ...extra })) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
};

/** A value as the API carries it: JSON text in a payload. */
export function jsonPayload(value: unknown): Payload {
  return { metadata: { encoding: 'json/plain' }, data: JSON.stringify(value) };
}

/** The HTTP API's routes the UI uses (API.md, "HTTP API"), relative to the page's own origin. */
export const api = {
  schedules: (namespace: string, pageToken?: string) =>
    call<SchedulePage>(
      'GET',
      `/v1/namespaces/${enc(namespace)}/schedules${run(undefined, { pageSize: '100', pageToken })}`,
    ),
  list: (namespace: string, query: string, pageSize: number, pageToken?: string) =>
    call<RunPage>(
      'GET',
      `${workflows(namespace)}${run(undefined, { query, pageSize: String(pageSize), pageToken })}`,
    ),
  describe: (namespace: string, workflowId: string, runId?: string) =>
    call<WorkflowDescription>('GET', `${workflow(namespace, workflowId)}${run(runId)}`),
  history: (namespace: string, workflowId: string, runId: string, pageToken?: string) =>
    call<{ runId: string; events: HistoryEvent[]; nextPageToken?: string }>(
      'GET',
      `${workflow(namespace, workflowId)}/history${run(runId, { pageToken })}`,
    ),
  signal: (namespace: string, workflowId: string, runId: string, name: string, input: Payload[]) =>
    call<void>('POST', `${workflow(namespace, workflowId)}/signals/${enc(name)}${run(runId)}`, { input }),
  query: (namespace: string, workflowId: string, runId: string, name: string, input: Payload[]) =>
    call<{ result: Payload }>(
      'POST',
      `${workflow(namespace, workflowId)}/queries/${enc(name)}${run(runId)}`,
      {
        input,
      },
    ),
  update: (namespace: string, workflowId: string, name: string, input: Payload[], updateId?: string) =>
    call<{ updateId: string; outcome?: { result: Payload } | { failure: FailureInfo } }>(
      'POST',
      `${workflow(namespace, workflowId)}/updates/${enc(name)}${run(undefined, { waitSeconds: '20' })}`,
      { input, updateId },
    ),
  cancel: (namespace: string, workflowId: string, runId: string, reason: string) =>
    call<void>('POST', `${workflow(namespace, workflowId)}/cancel${run(runId)}`, { reason }),
  terminate: (namespace: string, workflowId: string, runId: string, reason: string) =>
    call<void>('POST', `${workflow(namespace, workflowId)}/terminate${run(runId)}`, { reason }),
};

/** Every page of a run's history, oldest first. */
export async function fullHistory(
  namespace: string,
  workflowId: string,
  runId: string,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let pageToken: string | undefined;
  do {
    const page = await api.history(namespace, workflowId, runId, pageToken);
    events.push(...page.events);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return events;
}
