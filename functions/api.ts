import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { API_FUNCTION } from '../sdk/backend/definitions.ts';
import { deadLettersFromEnvironment } from '../sdk/runtime/dead-letters-from-environment.ts';
import { runtimeFromEnvironment } from '../sdk/runtime/from-environment.ts';
import { WorkflowService } from '../sdk/runtime/workflow-service.ts';
import { type ApiHandler, createApiHandler } from './api/handler.ts';

let api: { deps: unknown; handle: ApiHandler } | undefined;

/** The HTTP API (API Gateway HTTP API, payload format 2.0). */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const runtime = runtimeFromEnvironment();
  const { deps } = runtime;
  if (api?.deps !== deps) {
    const service = new WorkflowService(
      { ...deps, deadLetters: deadLettersFromEnvironment(runtime) },
      {
        resultWait: {
          maxWaitMs: API_FUNCTION.resultWaitMs,
          retryAfterMs: API_FUNCTION.resultRetryAfterMs,
          minRetryAfterMs: API_FUNCTION.resultMinRetryAfterMs,
        },
      },
    );
    // Set by the Engine when its JWT authorizer names a namespaces claim (ApiAuthorization.jwt).
    const namespacesClaim = process.env.CAIRN_JWT_NAMESPACES_CLAIM || undefined;
    api = { deps, handle: createApiHandler(service, { logger: deps.logger, namespacesClaim }) };
  }
  try {
    return await api.handle(event);
  } finally {
    deps.metrics.flush();
  }
}
