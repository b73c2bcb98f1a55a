import type { ResultsEntry } from '../../sdk/common/wire/results.ts';
import { apiError } from './errors.ts';
import { defineRoute, type Route } from './route-definition.ts';
import * as s from './schemas.ts';

/** What an open run's answer asks the client to wait when the service sets no pause of its own. */
const DEFAULT_RETRY_AFTER_MS = 250;

/**
 * Many runs' outcomes in one request (sdk/common/wire/results.ts): the client's transport batches
 * the `result()` polls of all the runs it awaits into it. Each run is answered at once, and its
 * error (unknown run, …) is its own entry, so one bad id fails only its own wait; anything else
 * (an internal error) fails the request, which the client retries whole.
 */
export const resultsRoutes: readonly Route[] = [
  defineRoute({
    method: 'POST',
    path: '/v1/namespaces/{namespace}/workflow-results',
    operationId: 'getWorkflowResults',
    tag: 'Workflows',
    summary: "Many runs' outcomes at once, without waiting",
    params: s.namespacePath,
    query: s.noQuery,
    body: s.resultsBody,
    response: s.resultsResponse,
    responses: { 200: 'One entry per run, in the order asked' },
    async handle(service, { params, body }) {
      const results = await Promise.all(
        body.runs.map(async (run): Promise<ResultsEntry> => {
          try {
            const outcome = await service.result(params.namespace, run.workflowId, run.runId, 0, {
              reportedFailureTime: run.reportedFailureTime,
            });
            if (outcome.status === 'Running') outcome.retryAfterMs ??= DEFAULT_RETRY_AFTER_MS;
            return { outcome };
          } catch (error) {
            const known = apiError(error);
            if (!known) throw error;
            return { status: known.status, error: known.error };
          }
        }),
      );
      return { body: { results } };
    },
  }),
];
