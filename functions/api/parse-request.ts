import * as z from 'zod';
import { InvalidRequestError, type RequestIssue } from './errors.ts';

/*
 * Parsing one part of a request (path, query string, body) with its schema, and turning zod's
 * issues into messages that say what to change.
 */

/** Which part of a request a value came from, for messages. */
export type RequestPart = 'path' | 'query' | 'body';

const PART_LABEL: Record<RequestPart, string> = {
  path: 'path parameter',
  query: 'query parameter',
  body: 'request body field',
};

function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let current: z.ZodType = schema;
  for (const key of path) {
    if (!(current instanceof z.ZodObject)) return undefined;
    current = current.shape[String(key)] as z.ZodType;
    while (current instanceof z.ZodOptional || current instanceof z.ZodDefault)
      current = current.unwrap() as z.ZodType;
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : undefined;
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path)
    current = current !== null && typeof current === 'object' ? Reflect.get(current, key) : undefined;
  return current;
}

function issuesOf(error: z.ZodError, schema: z.ZodType, value: unknown, part: RequestPart): RequestIssue[] {
  return error.issues.flatMap((issue): RequestIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path);
      const expected = known?.length ? `; expected ${known.join(', ')}` : `; this ${part} takes none`;
      return issue.keys.map((key) => ({
        path: pathText([...issue.path, key]),
        message: `is not a known ${PART_LABEL[part]}${expected}`,
      }));
    }
    let message = issue.message.replace(/^Invalid input: /, '');
    if (issue.code === 'invalid_type' && message.endsWith('received undefined')) message = 'is required';
    else if (part === 'body' && issue.path.length === 0) message = `must be a JSON object (${message})`;
    else if (!/^(must|is) /.test(message)) message = `is invalid: ${message}`;
    // Path and query values are short strings the caller may not see in their own code: echo them.
    const given = valueAt(value, issue.path);
    if (part !== 'body' && typeof given === 'string' && message !== 'is required') {
      message = `'${given.length > 100 ? `${given.slice(0, 100)}…` : given}' ${message}`;
    }
    return [{ path: pathText(issue.path), message }];
  });
}

/**
 * Parses one part of a request, or throws an `InvalidRequestError` naming every problem, e.g.
 * "Invalid request body: workflowId is required; taskQueue must not be empty".
 */
export function parseRequestPart<T extends z.ZodType>(
  schema: T,
  value: unknown,
  part: RequestPart,
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error, schema, value, part);
  const label = { path: 'Invalid path', query: 'Invalid query string', body: 'Invalid request body' }[part];
  const text = issues
    .map((issue) => (issue.path ? `${issue.path} ${issue.message}` : issue.message))
    .join('; ');
  throw new InvalidRequestError(`${label}: ${text}`, issues);
}
