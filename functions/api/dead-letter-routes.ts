import {
  deadLetterFilterSchema,
  deadLetterPageSchema,
  deadLetterSchema,
  redriveResultSchema,
} from '../../sdk/common/wire/dead-letters.ts';
import { defineRoute, type Route } from './route-definition.ts';
import { named, namespacePath, noQuery } from './schemas.ts';

const deadLetters = '/v1/namespaces/{namespace}/dlq';

named(deadLetterSchema, 'DeadLetter', 'One message set aside, with where it waits and why.');
const listResponse = named(
  deadLetterPageSchema,
  'DeadLetterPage',
  "The namespace's messages waiting in the dead-letter queues and the router's failure destination.",
);
const redriveBody = named(
  deadLetterFilterSchema,
  'RedriveRequest',
  'Which set-aside messages to put back; every given field must match. The body may be omitted: all of them.',
);
const redriveResponse = named(redriveResultSchema, 'RedriveResult', 'What was put back, and what was left.');

/** The dead-letter routes (`cairn dlq list|redrive`). */
export const deadLetterRoutes: readonly Route[] = [
  defineRoute({
    method: 'GET',
    path: deadLetters,
    operationId: 'listDeadLetters',
    tag: 'Dead letters',
    summary: 'List messages set aside after repeated failures: queue, task, run, attempts and why',
    params: namespacePath,
    query: deadLetterFilterSchema,
    response: listResponse,
    responses: { 200: 'The messages read (up to limit); truncated says whether more may wait' },
    async handle(service, { params, query }) {
      return { body: await service.listDeadLetters(params.namespace, query) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${deadLetters}/redrive`,
    operationId: 'redriveDeadLetters',
    tag: 'Dead letters',
    summary:
      'Put set-aside messages back: a task to its queue (clearing its run’s dead-letter mark), a router failure’s records routed again',
    params: namespacePath,
    query: noQuery,
    body: redriveBody,
    response: redriveResponse,
    responses: { 200: 'What was put back; redriving again is harmless' },
    async handle(service, { params, body }) {
      return { body: await service.redriveDeadLetters(params.namespace, body) };
    },
  }),
];
