/**
 * Bounds of the HTTP API that the client and the server must agree on. Kept apart from the schemas,
 * without zod, because the client imports these values at run time.
 */

/** Longest id (workflow id, update id) the API accepts. */
export const MAX_ID_LENGTH = 1000;
/** Longest request id: a run remembers its latest ones in its head item, so they stay short (a UUID is 36). */
export const MAX_REQUEST_ID_LENGTH = 128;
/** Longest name (workflow type, task queue, signal, query, update, search attribute) the API accepts. */
export const MAX_NAME_LENGTH = 256;
/** Upper bound of one long poll (`waitSeconds` of result and update), under API Gateway's 29 s request limit. */
export const MAX_WAIT_MS = 20_000;

/** Runs one `workflow-results` request may ask about (sdk/common/wire/results.ts). */
export const MAX_RESULTS_PER_REQUEST = 100;
