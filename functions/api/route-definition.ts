/** How a route of the HTTP API is declared: its schemas, documentation and handler. */
import type { z } from 'zod';
import type { WorkflowServiceApi } from '../../sdk/client/connection.ts';

/** The operations the API serves: exactly what the client speaks. */
export type ApiService = WorkflowServiceApi;

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** What a route answers: a status (default: the route's only documented one) and a JSON body, or none (204). */
export interface Reply<T> {
  status?: number;
  body?: T;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

/** One operation of the API: its schemas (parsed before `handle` runs) and its documentation. */
export interface Route {
  readonly method: HttpMethod;
  /** Path template, OpenAPI style: `/v1/namespaces/{namespace}/workflows/{workflowId}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: 'Workflows' | 'Schedules' | 'Activities' | 'Dead letters' | 'API';
  readonly params: z.ZodObject;
  readonly query: z.ZodObject;
  readonly body?: z.ZodType;
  /** Success statuses with their meaning. A route with several sets `status` in each reply. */
  readonly responses: Readonly<Record<number, string>>;
  readonly response?: z.ZodType;
  handle(service: ApiService, input: RouteInput<unknown, unknown, unknown>): Promise<Reply<unknown>>;
}

type Output<T> = T extends z.ZodType ? z.output<T> : undefined;
type Input<T> = T extends z.ZodType ? z.input<T> : undefined;

/**
 * Declares a route with its types inferred from its schemas; the handler's reply is checked against
 * the documented response schema at compile time.
 */
export function defineRoute<
  P extends z.ZodObject,
  Q extends z.ZodObject,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(
  route: Omit<Route, 'params' | 'query' | 'body' | 'response' | 'handle'> & {
    params: P;
    query: Q;
    body?: B;
    response?: R;
    handle(
      service: ApiService,
      input: RouteInput<z.output<P>, z.output<Q>, Output<B>>,
    ): Promise<Reply<Input<R>>>;
  },
): Route {
  // The router calls `handle` only with what these very schemas parsed.
  return route as unknown as Route;
}

/** Turns a route's `waitSeconds` into the service's milliseconds. */
export const waitMs = (seconds: number) => Math.round(seconds * 1000);

export const workflows = '/v1/namespaces/{namespace}/workflows';
export const workflow = `${workflows}/{workflowId}`;
