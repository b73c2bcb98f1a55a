/**
 * Every IAM action Cairn's constructs grant, in one place, named for what the runtime does with it.
 * Each list names exact actions (no `*`): a reviewer can read here everything a Cairn function may
 * do, and `test/cdk` checks the template against these lists.
 *
 * The DynamoDB lists follow the adapters in `sdk/backend/dynamodb` and `sdk/backend/sqs`:
 * `TransactWriteItems` has no action of its own; IAM checks each item's action (Put, Update,
 * Delete, ConditionCheck) against the table it names.
 */

import { DUE_NAMESPACES_PK } from '../sdk/backend/dynamodb/keys.ts';

/** Reading items: `GetItem` (run heads, claims) and `Query` (history pages, due-time buckets). */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'] as const;

/** Writing items, alone or inside `TransactWriteItems`. */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** Querying a global secondary index (`byStart`, the list of a namespace's runs). */
export const INDEX_QUERY_ACTIONS = ['dynamodb:Query'] as const;

/** Parking and draining the due-time index (`due#…` keys of the executions table). */
export const DUE_INDEX_ACTIONS = ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

/**
 * The due-time index's keys across namespaces, for the engine's own functions: every namespace's
 * index (`${ns}#due#${shard}`) and the list of namespaces that have one. A worker's own namespace
 * keys already cover its index; it needs only the list besides (sdk/backend/sqs/due-index.ts).
 */
export const DUE_INDEX_KEYS = [DUE_NAMESPACES_PK, '*#due#*'] as const;

/** Sending tasks: the SQS adapter resolves the queue URL once, then calls `SendMessageBatch`. */
export const QUEUE_SEND_ACTIONS = ['sqs:GetQueueUrl', 'sqs:SendMessage'] as const;

/**
 * `cairn dlq list|redrive` (the API function): reading a dead-letter queue's messages (received,
 * then made visible again) and deleting those it sends back to their source queue.
 */
export const DEAD_LETTER_ACTIONS = [
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
] as const;

/** A redrive of the router's failures reads the records they name back from the history stream. */
export const STREAM_READ_ACTIONS = ['dynamodb:GetShardIterator', 'dynamodb:GetRecords'] as const;

/** Lambda sends a stream batch that failed every retry to the mapping's on-failure queue. */
export const FAILURE_DESTINATION_ACTIONS = ['sqs:SendMessage'] as const;

/** Reading offloaded payloads. */
export const PAYLOAD_READ_ACTIONS = ['s3:GetObject'] as const;

/** Writing offloaded payloads (content-addressed, so a retry puts the same object again). */
export const PAYLOAD_WRITE_ACTIONS = ['s3:PutObject'] as const;

/** The API function calls a worker synchronously for queries and updates. */
export const WORKER_INVOKE_ACTIONS = ['lambda:InvokeFunction'] as const;

/** Using a customer-managed key to read what DynamoDB, SQS or S3 encrypted with it. */
export const KEY_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;

/** Using a customer-managed key to write (new data keys for S3 objects and SQS messages). */
export const KEY_ENCRYPT_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
] as const;

/** Calling the HTTP API with SigV4 (IAM authorization). */
export const API_INVOKE_ACTIONS = ['execute-api:Invoke'] as const;

/** Writing a function's own log group (each function has a role of its own, no managed policy). */
export const LOG_WRITE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const;
