import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  EXECUTIONS_TABLE,
  HISTORY_TABLE,
  ROUTER_FAILURE_QUEUE,
  SYSTEM_QUEUE,
} from '../sdk/backend/definitions.ts';
import { acknowledge } from './acknowledgements.ts';
import type { EngineSettings } from './engine-props.ts';
import { failureDestinationQueue, queueFromDefinition, tableFromDefinition } from './from-definitions.ts';
import { payloadBucket } from './payload-bucket.ts';

/** What the engine keeps, as {@link engineState} builds it: its tables, payload bucket and own queues. */
export interface EngineState {
  historyTable: dynamodb.Table;
  executionsTable: dynamodb.Table;
  payloadBucket: s3.Bucket;
  systemQueue: sqs.Queue;
  systemDeadLetterQueue: sqs.Queue;
  routerFailureQueue: sqs.Queue;
}

/**
 * The engine's state in `scope`: the history and executions tables and the payload bucket, and
 * the queues no worker owns (the system queue with its DLQ, the router's failure destination),
 * all from the definitions the local stack creates too (`sdk/backend/definitions.ts`).
 */
export function engineState(
  scope: Construct,
  options: {
    settings: EngineSettings;
    encryptionKey?: kms.IKey;
    serverAccessLogsBucket?: s3.IBucket;
  },
): EngineState {
  const { settings, encryptionKey: key } = options;
  const tableOptions = {
    encryptionKey: key,
    deletionProtection: settings.deletionProtection,
    removalPolicy: settings.removalPolicy,
  };
  const historyTable = tableFromDefinition(scope, 'HistoryTable', HISTORY_TABLE, tableOptions);
  const executionsTable = tableFromDefinition(scope, 'ExecutionsTable', EXECUTIONS_TABLE, tableOptions);
  const bucket = payloadBucket(scope, {
    encryptionKey: key,
    expiration: settings.payloadExpiration,
    removalPolicy: settings.removalPolicy,
    serverAccessLogsBucket: options.serverAccessLogsBucket,
  });

  const system = queueFromDefinition(scope, 'SystemQueue', settings.prefix, SYSTEM_QUEUE, key);
  const routerFailureQueue = failureDestinationQueue(
    scope,
    'RouterFailures',
    settings.prefix,
    ROUTER_FAILURE_QUEUE,
    key,
  );
  acknowledge(
    routerFailureQueue,
    'AwsSolutions-SQS3',
    "This queue is the router's on-failure destination: it already is the dead-letter queue of the " +
      'history stream (records of batches that failed every retry), so a queue behind it would only move them.',
  );
  return {
    historyTable,
    executionsTable,
    payloadBucket: bucket,
    systemQueue: system.queue,
    systemDeadLetterQueue: system.deadLetterQueue,
    routerFailureQueue,
  };
}
