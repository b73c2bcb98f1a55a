import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { InvalidArgumentError, PayloadTooLargeError } from '../../sdk/common/errors.ts';
import { jsonLogger, type Logger } from '../../sdk/runtime/deps.ts';
import { errorResponse, NamespaceNotAllowedError } from './errors.ts';
import { parseRequestPart } from './parse-request.ts';
import { type ApiService, matchRoute } from './router.ts';
import { DEFAULT_MAX_BODY_BYTES } from './schemas.ts';

/** Options of {@link createApiHandler}. */
export interface ApiHandlerOptions {
  /**
   * Largest request body accepted, in bytes; a larger one gets 413 `PayloadTooLarge`.
   * @default 2 MB (2 * 1024 * 1024)
   */
  maxBodyBytes?: number;
  /**
   * Where internal errors are logged, with their stack (callers only see a generic message).
   * @default JSON lines on stderr
   */
  logger?: Logger;
  /**
   * A JWT claim naming the namespaces a caller may use (`ApiAuthorization.jwt({ namespacesClaim })`):
   * a request for another namespace, or without the claim, gets 403 `NamespaceNotAllowed`.
   * @default none: no namespace check (IAM route grants confine namespaces instead)
   */
  namespacesClaim?: string;
}

/** An API Gateway HTTP API (payload format 2.0) Lambda handler. */
export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * With a stage other than `$default`, API Gateway keeps the stage name in `rawPath`
 * (`/prod/v1/...`); routes are matched without it.
 */
function routePath(event: APIGatewayProxyEventV2): string {
  const path = event.rawPath || '/';
  const stage = event.requestContext?.stage;
  if (stage && stage !== '$default' && (path === `/${stage}` || path.startsWith(`/${stage}/`))) {
    return path.slice(stage.length + 1) || '/';
  }
  return path;
}

function queryParameters(event: APIGatewayProxyEventV2): Record<string, string> {
  // API Gateway joins repeated parameters with commas in `queryStringParameters`; the raw string
  // lets a repeated parameter be refused instead of silently merged.
  if (!event.rawQueryString) return { ...event.queryStringParameters } as Record<string, string>;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(event.rawQueryString)) {
    if (Object.hasOwn(parameters, name))
      throw new InvalidArgumentError(`Query parameter '${name}' is given more than once`);
    parameters[name] = value;
  }
  return parameters;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 3 : 1)} MB`;
}

/** The request body as JSON: absent means `{}` (every body field is optional or reported as missing). */
function jsonBody(event: APIGatewayProxyEventV2, maxBodyBytes: number): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return {};
  const size = Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (size > maxBodyBytes) {
    throw new PayloadTooLargeError(
      `Request body is ${megabytes(size)}; the limit is ${megabytes(maxBodyBytes)}. ` +
        'Pass large values by reference (e.g. an S3 key) instead of inline.',
    );
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`Request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The namespaces a token's claim names: API Gateway hands a JWT authorizer's claims on as strings
 * (a list claim as `[a b]`), so a list, a space- or comma-separated string, or one name.
 */
function claimedNamespaces(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

function checkNamespaceClaim(event: APIGatewayProxyEventV2, claim: string, namespace: string): void {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
  const allowed = claimedNamespaces(context.authorizer?.jwt?.claims?.[claim]);
  if (allowed.includes(namespace) || allowed.includes('*')) return;
  throw new NamespaceNotAllowedError(
    allowed.length === 0
      ? `The caller's token has no '${claim}' claim naming its namespaces; namespace '${namespace}' is refused`
      : `The caller's token allows namespaces ${allowed.map((n) => `'${n}'`).join(', ')}, not '${namespace}'`,
  );
}

function reply(status: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  if (body === undefined) return { statusCode: status, headers: { 'cache-control': 'no-store' } };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/**
 * Builds the Lambda handler of the HTTP API (API.md, "HTTP API") over a workflow service: it
 * parses the event against the route's schemas, calls one service operation, and maps the outcome
 * or the error (`errors.ts`) to a response.
 *
 * @example
 * const engine = new MemoryEngine();
 * const handler = createApiHandler(engine.service);
 * const response = await handler(event); // { statusCode: 201, body: '{"runId":"…","started":true}' }
 */
export function createApiHandler(service: ApiService, options: ApiHandlerOptions = {}): ApiHandler {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new InvalidArgumentError(
      `maxBodyBytes must be a positive whole number of bytes, got ${maxBodyBytes}`,
    );
  }
  const logger = options.logger ?? jsonLogger('error');
  return async (event) => {
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    const path = routePath(event);
    try {
      const { route, params } = matchRoute(method, path);
      if (options.namespacesClaim !== undefined && params.namespace !== undefined)
        checkNamespaceClaim(event, options.namespacesClaim, params.namespace);
      const input = {
        params: parseRequestPart(route.params, params, 'path'),
        query: parseRequestPart(route.query, queryParameters(event), 'query'),
        body: route.body ? parseRequestPart(route.body, jsonBody(event, maxBodyBytes), 'body') : undefined,
      };
      const result = await route.handle(service, input);
      const [onlyStatus, ...others] = Object.keys(route.responses);
      if (result.status === undefined && others.length > 0) {
        throw new TypeError(`Route ${route.operationId} must say its status`);
      }
      return reply(result.status ?? Number(onlyStatus), result.body);
    } catch (error) {
      return errorResponse(error, { logger, requestId: event.requestContext?.requestId, method, path });
    }
  };
}
