import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

/**
 * API Gateway HTTP API emulation, the pure half: an HTTP request becomes the Lambda event
 * (payload format 2.0) that API Gateway would send, and the handler's result becomes the HTTP
 * response API Gateway would write. `http-gateway.ts` serves it over `node:http`;
 * {@link inProcessFetch} serves it to a `fetch` caller without a socket.
 */

/** A Lambda handler behind an HTTP API. */
export type GatewayHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

/** An HTTP request as the gateway receives it. */
export interface GatewayRequest {
  method: string;
  /** Path and query string as sent, still percent-encoded: `/v1/namespaces/default/workflows?pageSize=10`. */
  target: string;
  /** Header values; repeated headers as arrays (as `node:http` gives them). */
  headers: Record<string, string | string[] | undefined>;
  body?: Uint8Array;
  sourceIp?: string;
}

/** An HTTP response as the gateway writes it. */
export interface GatewayResponse {
  status: number;
  /** `set-cookie` may repeat; every other header has one value. */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

// HTTP APIs pass these content types as text and base64-encode everything else.
const TEXT_CONTENT =
  /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded)\b)/i;

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
function gatewayTime(date: Date): string {
  // toUTCString(): 'Thu, 12 Mar 2020 19:03:58 GMT'
  const [, day, month, year, time] = date.toUTCString().split(' ');
  return `${day}/${month}/${year}:${time} +0000`;
}

/** Builds the event API Gateway sends for a request on the `$default` route and stage. */
export function toGatewayEvent(request: GatewayRequest, now = new Date()): APIGatewayProxyEventV2 {
  const queryStart = request.target.indexOf('?');
  const rawPath = queryStart === -1 ? request.target : request.target.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : request.target.slice(queryStart + 1);

  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    // Format 2.0 moves cookies to their own field and joins repeated headers with commas.
    if (name.toLowerCase() === 'cookie') cookies = values.flatMap((v) => v.split(/;\s*/)).filter(Boolean);
    else headers[name.toLowerCase()] = values.join(',');
  }

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [name, value] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[name] =
        name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
    }
  }

  const body = request.body && request.body.length > 0 ? Buffer.from(request.body) : undefined;
  const isText = TEXT_CONTENT.test(headers['content-type'] ?? '');
  const host = headers.host ?? '127.0.0.1';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies && { cookies }),
    headers,
    ...(queryStringParameters && { queryStringParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: gatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body && {
      body: isText ? body.toString('utf8') : body.toString('base64'),
    }),
    isBase64Encoded: body !== undefined && !isText,
  };
}

/**
 * Turns what a handler returned into the HTTP response, with API Gateway's inference for results
 * that are not `{ statusCode, ... }`: a string or any other value is a 200 JSON body.
 */
export function fromGatewayResult(result: APIGatewayProxyResultV2): GatewayResponse {
  if (
    typeof result === 'string' ||
    result === null ||
    typeof result !== 'object' ||
    !('statusCode' in result)
  ) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body ?? '') };
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  return { status: result.statusCode ?? 200, headers, body };
}

/** The event for a `fetch` Request. */
export async function eventFromRequest(request: Request): Promise<APIGatewayProxyEventV2> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers.host ??= url.host;
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  return toGatewayEvent({ method: request.method, target: `${url.pathname}${url.search}`, headers, body });
}

/** The `fetch` Response for a handler's result. */
export function responseFromResult(result: APIGatewayProxyResultV2): Response {
  const { status, headers, body } = fromGatewayResult(result);
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, one);
  }
  // A 204 or 304 response must not have a body, not even an empty one.
  const noBody = status === 204 || status === 304 || body.length === 0;
  return new Response(noBody ? null : new Uint8Array(body), { status, headers: responseHeaders });
}

/**
 * A `fetch` that hands each request to a handler in this process, as API Gateway would, without
 * a socket. Errors thrown by the handler become API Gateway's own 500.
 *
 * @example
 * const client = new Client({ endpoint: 'http://api.local', fetch: inProcessFetch(createApiHandler(engine.service)) });
 */
export function inProcessFetch(handler: GatewayHandler): typeof fetch {
  return async (input, init) => {
    const event = await eventFromRequest(new Request(input, init));
    try {
      return responseFromResult(await handler(event));
    } catch {
      return responseFromResult({
        statusCode: 500,
        body: JSON.stringify({ message: 'Internal Server Error' }),
      });
    }
  };
}
