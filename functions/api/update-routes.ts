import { defineRoute, type Route, waitMs, workflow } from './route-definition.ts';
import * as s from './schemas.ts';

/** The routes of updates beyond sending one: polling it by id, and update-with-start. */
export const updateRoutes: readonly Route[] = [
  defineRoute({
    method: 'GET',
    path: `${workflow}/updates/{updateId}/outcome`,
    operationId: 'pollWorkflowUpdate',
    tag: 'Workflows',
    summary: "An update's stage and outcome by its id, waiting (at most waitSeconds) for waitForStage",
    params: s.updateIdPath,
    query: s.pollUpdateQuery,
    response: s.pollUpdateResponse,
    responses: { 200: 'Where the update got; ask again while it has not reached waitForStage' },
    async handle(service, { params, query }) {
      return {
        body: await service.pollUpdate(
          params.namespace,
          params.workflowId,
          query.runId,
          params.updateId,
          query.waitForStage,
          waitMs(query.waitSeconds),
        ),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/namespaces/{namespace}/update-with-start',
    operationId: 'updateWithStart',
    tag: 'Workflows',
    summary: 'Start a workflow and send it an update, atomically (or update the running one, by policy)',
    params: s.namespacePath,
    query: s.noQuery,
    body: s.updateWithStartBody,
    response: s.updateWithStartResponse,
    responses: {
      200: 'The update reached waitForStage (COMPLETED: within the long-poll bound; poll it by id after)',
    },
    async handle(service, { params, body }) {
      const { start, ...rest } = body;
      return {
        body: await service.updateWithStart({ ...rest, start: { ...start, namespace: params.namespace } }),
      };
    },
  }),
];
