import { InvalidArgumentError } from '../../sdk/common/errors.ts';
import { deadLetterRoutes } from './dead-letter-routes.ts';
import { MethodNotAllowedError, RouteNotFoundError } from './errors.ts';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi.ts';
import { resultsRoutes } from './results-route.ts';
import { defineRoute, type Route, waitMs, workflow, workflows } from './route-definition.ts';
import { scheduleRoutes } from './schedule-routes.ts';
import * as s from './schemas.ts';
import { updateRoutes } from './update-routes.ts';

export type { ApiService, HttpMethod, Reply, Route } from './route-definition.ts';

const activities = '/v1/namespaces/{namespace}/activities';

/** Every route of the API (API.md, "HTTP API"). */
export const routes: readonly Route[] = [
  defineRoute({
    method: 'POST',
    path: workflows,
    operationId: 'startWorkflow',
    tag: 'Workflows',
    summary: 'Start a workflow; with `signal`, signal-with-start',
    params: s.namespacePath,
    query: s.noQuery,
    body: s.startWorkflowBody,
    response: s.startWorkflowResponse,
    responses: {
      201: 'A new run was started',
      200: 'Signal-with-start found the workflow running and signalled it',
    },
    async handle(service, { params, body }) {
      const { signal, ...start } = body;
      const request = { namespace: params.namespace, ...start };
      const result = signal
        ? await service.signalWithStart({ ...request, signal })
        : await service.start(request);
      return { status: result.started ? 201 : 200, body: result };
    },
  }),
  defineRoute({
    method: 'GET',
    path: workflows,
    operationId: 'listWorkflows',
    tag: 'Workflows',
    summary: 'List runs matching a visibility query, newest first',
    params: s.namespacePath,
    query: s.listQuery,
    response: s.listWorkflowsResponse,
    responses: { 200: 'A page of runs' },
    async handle(service, { params, query }) {
      return { body: await service.list(params.namespace, query.query, query.pageSize, query.pageToken) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: workflow,
    operationId: 'describeWorkflow',
    tag: 'Workflows',
    summary: 'Describe a run: status, pending work and why it is stuck, if it is',
    params: s.workflowPath,
    query: s.runQuery,
    response: s.describeWorkflowResponse,
    responses: { 200: 'The run' },
    async handle(service, { params, query }) {
      return { body: await service.describe(params.namespace, params.workflowId, query.runId) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${workflow}/history`,
    operationId: 'getWorkflowHistory',
    tag: 'Workflows',
    summary: "A page of a run's history",
    params: s.workflowPath,
    query: s.historyQuery,
    response: s.historyResponse,
    responses: { 200: 'A page of events; follow nextPageToken for the rest' },
    async handle(service, { params, query }) {
      return {
        body: await service.history(params.namespace, params.workflowId, query.runId, query.pageToken),
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${workflow}/result`,
    operationId: 'getWorkflowResult',
    tag: 'Workflows',
    summary: "Wait (at most waitSeconds) for a run's outcome",
    params: s.workflowPath,
    query: s.resultQuery,
    response: s.resultResponse,
    responses: {
      200: 'The outcome, or status Running (with the workflow-task failure, if any) if the run did not close in time',
    },
    async handle(service, { params, query }) {
      return {
        body: await service.result(
          params.namespace,
          params.workflowId,
          query.runId,
          waitMs(query.waitSeconds),
          {
            reportedFailureTime: query.reportedFailureTime,
          },
        ),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${workflow}/signals/{signalName}`,
    operationId: 'signalWorkflow',
    tag: 'Workflows',
    summary: 'Send a signal',
    params: s.signalPath,
    query: s.runQuery,
    body: s.signalWorkflowBody,
    responses: { 204: 'The signal is recorded in history' },
    async handle(service, { params, query, body }) {
      const { namespace, workflowId, signalName } = params;
      await service.signal(namespace, workflowId, query.runId, signalName, body.input, body.requestId);
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${workflow}/queries/{queryName}`,
    operationId: 'queryWorkflow',
    tag: 'Workflows',
    summary: "Ask a read-only question, answered from the workflow's current state",
    params: s.queryPath,
    query: s.runQuery,
    body: s.queryWorkflowBody,
    response: s.queryWorkflowResponse,
    responses: { 200: "The query handler's answer" },
    async handle(service, { params, query, body }) {
      const result = await service.query(
        params.namespace,
        params.workflowId,
        query.runId,
        params.queryName,
        body.input,
      );
      return { body: { result } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${workflow}/updates/{updateName}`,
    operationId: 'updateWorkflow',
    tag: 'Workflows',
    summary: 'Run an update: validated, applied, and waited for (at most waitSeconds)',
    params: s.updatePath,
    query: s.waitQuery,
    body: s.updateWorkflowBody,
    response: s.updateWorkflowResponse,
    responses: { 200: 'The outcome, or none yet: resend with the returned updateId' },
    async handle(service, { params, query, body }) {
      const { namespace, workflowId, updateName } = params;
      return {
        body: await service.update(
          namespace,
          workflowId,
          query.runId,
          updateName,
          body.input,
          body.updateId,
          waitMs(query.waitSeconds),
        ),
      };
    },
  }),
  ...updateRoutes,
  ...resultsRoutes,
  defineRoute({
    method: 'POST',
    path: `${workflow}/cancel`,
    operationId: 'cancelWorkflow',
    tag: 'Workflows',
    summary: 'Request cancellation: workflow code sees a cancelled root scope',
    params: s.workflowPath,
    query: s.runQuery,
    body: s.closeWorkflowBody,
    responses: { 204: 'The cancel request is recorded in history' },
    async handle(service, { params, query, body }) {
      await service.cancel(params.namespace, params.workflowId, query.runId, body.reason, body.requestId);
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${workflow}/terminate`,
    operationId: 'terminateWorkflow',
    tag: 'Workflows',
    summary: 'Close the run at once, without running workflow code',
    params: s.workflowPath,
    query: s.runQuery,
    body: s.closeWorkflowBody,
    responses: { 204: 'The run is terminated' },
    async handle(service, { params, query, body }) {
      await service.terminate(params.namespace, params.workflowId, query.runId, body.reason, body.requestId);
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${activities}/complete`,
    operationId: 'completeActivity',
    tag: 'Activities',
    summary: 'Complete an activity that threw CompleteAsyncError',
    params: s.namespacePath,
    query: s.noQuery,
    body: s.completeActivityBody,
    responses: { 204: 'The result is recorded in history' },
    async handle(service, { params, body }) {
      await service.completeActivity(params.namespace, body.taskToken, {
        type: 'completed',
        result: body.result,
      });
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${activities}/fail`,
    operationId: 'failActivity',
    tag: 'Activities',
    summary: 'Fail an activity that threw CompleteAsyncError',
    params: s.namespacePath,
    query: s.noQuery,
    body: s.failActivityBody,
    responses: { 204: 'The failure is recorded in history' },
    async handle(service, { params, body }) {
      await service.completeActivity(params.namespace, body.taskToken, {
        type: 'failed',
        failure: body.failure,
      });
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${activities}/heartbeat`,
    operationId: 'heartbeatActivity',
    tag: 'Activities',
    summary: 'Record progress of an activity that completes asynchronously',
    params: s.namespacePath,
    query: s.noQuery,
    body: s.heartbeatActivityBody,
    response: s.heartbeatActivityResponse,
    responses: { 200: "Whether the activity's cancellation was requested" },
    async handle(service, { params, body }) {
      return { body: await service.heartbeatActivity(params.namespace, body.taskToken, body.details) };
    },
  }),
  ...scheduleRoutes,
  ...deadLetterRoutes,
  defineRoute({
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'API',
    summary: 'This document',
    params: s.noPath,
    query: s.noQuery,
    response: s.openApiDocumentResponse,
    responses: { 200: 'The OpenAPI 3.1 document of the API' },
    async handle() {
      return { body: openApiDocument() };
    },
  }),
];

let document: OpenApiDocument | undefined;
function openApiDocument(): OpenApiDocument {
  document ??= buildOpenApiDocument(routes);
  return document;
}

const compiled = routes.map((route) => ({ route, segments: route.path.split('/').slice(1) }));

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgumentError(
      `Path segment '${segment}' is not valid percent-encoding; encode it with encodeURIComponent`,
    );
  }
}

function matchSegments(
  template: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const part = template[i]!;
    if (part.startsWith('{')) params[part.slice(1, -1)] = segments[i]!;
    else if (part !== segments[i]) return undefined;
  }
  return params;
}

/**
 * Finds the route for a method and a (still percent-encoded) path and decodes its path parameters.
 * Throws `RouteNotFoundError` for an unknown path and `MethodNotAllowedError` for a known path
 * asked with another method.
 */
export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } {
  // A trailing slash is a common slip, not a different resource.
  const segments = (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).split('/').slice(1);
  const allowed: string[] = [];
  for (const { route, segments: template } of compiled) {
    const raw = matchSegments(template, segments);
    if (!raw) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params = Object.fromEntries(
      Object.entries(raw).map(([name, value]) => [name, decodeSegment(value)]),
    );
    return { route, params };
  }
  if (allowed.length > 0) {
    throw new MethodNotAllowedError(
      `${method} is not allowed on ${path}; use ${allowed.join(' or ')}`,
      allowed,
    );
  }
  throw new RouteNotFoundError(`No route ${method} ${path}; the routes are listed at GET /v1/openapi.json`);
}
