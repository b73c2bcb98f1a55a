import * as z from 'zod';
import type { Route } from './router.ts';
import { apiSchemas, errorResponseSchema } from './schemas.ts';

/** An OpenAPI 3.1 document, as JSON. */
export type OpenApiDocument = Record<string, unknown>;

type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

/** A JSON Schema as OpenAPI embeds it: no `$schema`/`$id` of its own (the document's dialect applies). */
function embedded(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

function componentSchemas(): Record<string, JsonSchema> {
  // `io: 'input'`: the document describes what callers send; defaults are optional to them.
  const { schemas } = z.toJSONSchema(apiSchemas, { io: 'input', uri: (id) => `${COMPONENTS}${id}` });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => [id, embedded(schema as JsonSchema)]),
  );
}

/** A reference to a named component, or the schema inline when it has no name. */
function schemaRef(schema: z.ZodType): JsonSchema {
  const id = apiSchemas.get(schema)?.id;
  if (id) return { $ref: `${COMPONENTS}${id}` };
  return embedded(
    z.toJSONSchema(schema, { io: 'input', metadata: apiSchemas, unrepresentable: 'any' }) as JsonSchema,
  );
}

function parameters(route: Route): JsonSchema[] {
  const inPath = Object.entries(route.params.shape).map(([name, schema]) => ({
    name,
    in: 'path',
    required: true,
    schema,
  }));
  const inQuery = Object.entries(route.query.shape).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !(schema as z.ZodType).safeParse(undefined).success,
    schema,
  }));
  return [...inPath, ...inQuery].map(({ name, in: where, required, schema }) => {
    const json = embedded(z.toJSONSchema(schema as z.ZodType, { io: 'input' }) as JsonSchema);
    const { description, ...rest } = json;
    return { name, in: where, required, ...(description !== undefined && { description }), schema: rest };
  });
}

function operation(route: Route): JsonSchema {
  const content = (schema: z.ZodType) => ({ 'application/json': { schema: schemaRef(schema) } });
  const responses: Record<string, JsonSchema> = {};
  for (const [status, description] of Object.entries(route.responses)) {
    responses[status] =
      status === '204' || !route.response
        ? { description }
        : { description, content: content(route.response) };
  }
  responses['4XX'] = {
    description: 'The request was refused; `error.code` says why',
    content: content(errorResponseSchema),
  };
  responses['5XX'] = {
    description: 'The engine could not serve the request; retry when `error.retryable` is true',
    content: content(errorResponseSchema),
  };
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    parameters: parameters(route),
    ...(route.body && {
      requestBody: {
        // An absent body reads as `{}`, so a body is required only when `{}` is not enough.
        required: !route.body.safeParse({}).success,
        content: content(route.body),
      },
    }),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of the API, generated from the routes and their zod schemas, so the
 * document cannot drift from what the handlers accept.
 */
export function buildOpenApiDocument(routes: readonly Route[]): OpenApiDocument {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cairn HTTP API',
      version: '1',
      description:
        'Start and manage durable workflows. Payloads are `{ metadata, data }` as the client encodes them; ' +
        'errors are `{ "error": { "code", "message", ... } }` with a stable code.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      { name: 'Workflows', description: 'Start, inspect and steer workflow runs' },
      { name: 'Schedules', description: 'Start workflows on a calendar, durably' },
      { name: 'Activities', description: 'Finish activities that complete asynchronously, by task token' },
      {
        name: 'Dead letters',
        description: 'Work set aside after repeated failures, with why; and putting it back',
      },
      { name: 'API', description: 'About the API itself' },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            'AWS Signature Version 4 (API Gateway IAM authorization), when the engine is deployed with it',
        },
      },
    },
  };
}
