import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  deadLetterQueue,
  type KeyAttribute,
  physicalName,
  type QueueDefinition,
  type TableDefinition,
} from '../sdk/backend/definitions.ts';
import { FAILURE_DESTINATION_ACTIONS } from './perms.ts';

/**
 * Deploys the tables and queues that `sdk/backend/definitions.ts` declares, the same module the
 * local stack creates its resources from, so local and cloud cannot drift (DESIGN.md, "The
 * embedded default"). Nothing here restates a key, an index, a visibility timeout or a receive
 * count; it only chooses what the definitions leave to the deployment (billing, encryption,
 * recovery).
 */

const ATTRIBUTE_TYPES = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
} as const;

const PROJECTIONS = {
  ALL: dynamodb.ProjectionType.ALL,
  KEYS_ONLY: dynamodb.ProjectionType.KEYS_ONLY,
} as const;

const STREAM_VIEWS = {
  NEW_IMAGE: dynamodb.StreamViewType.NEW_IMAGE,
  NEW_AND_OLD_IMAGES: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
} as const;

function attribute(key: KeyAttribute): dynamodb.Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

/** What the Engine decides for every table it deploys. */
export interface TableDeploymentOptions {
  encryptionKey?: kms.IKey;
  deletionProtection: boolean;
  removalPolicy: RemovalPolicy;
}

/**
 * One table from its definition: on-demand, point-in-time recovery, the definition's keys,
 * indexes, stream view and TTL attribute; AWS-managed encryption unless a key is given.
 */
export function tableFromDefinition(
  scope: Construct,
  id: string,
  definition: TableDefinition,
  options: TableDeploymentOptions,
): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    partitionKey: attribute(definition.partitionKey),
    sortKey: definition.sortKey && attribute(definition.sortKey),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: options.encryptionKey
      ? dynamodb.TableEncryption.CUSTOMER_MANAGED
      : dynamodb.TableEncryption.AWS_MANAGED,
    encryptionKey: options.encryptionKey,
    stream: definition.stream && STREAM_VIEWS[definition.stream],
    timeToLiveAttribute: definition.timeToLiveAttribute,
    deletionProtection: options.deletionProtection,
    removalPolicy: options.removalPolicy,
  });
  for (const index of definition.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: index.sortKey && attribute(index.sortKey),
      projectionType: PROJECTIONS[index.projection],
    });
  }
  return table;
}

/** A queue and the dead-letter queue its messages move to after `maxReceiveCount` receives. */
export interface QueueWithDeadLetters {
  queue: sqs.Queue;
  deadLetterQueue: sqs.Queue;
}

function encryptionOf(
  encryptionKey: kms.IKey | undefined,
): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> {
  return encryptionKey
    ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: encryptionKey }
    : { encryption: sqs.QueueEncryption.SQS_MANAGED };
}

function queueProps(
  prefix: string,
  definition: QueueDefinition,
  encryptionKey: kms.IKey | undefined,
): sqs.QueueProps {
  return {
    // The runtime finds queues by name (`physicalName`, GetQueueUrl), so the name is part of the contract.
    queueName: physicalName(prefix, definition),
    // SQS refuses `FifoQueue: false` on a standard queue: say nothing unless it is FIFO.
    fifo: definition.fifo ? true : undefined,
    visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
    retentionPeriod: Duration.seconds(definition.retentionSeconds),
    enforceSSL: true,
    ...encryptionOf(encryptionKey),
  };
}

/**
 * A queue and its dead-letter queue, named and configured from their definitions. FIFO queues use
 * high-throughput mode: message groups are runs, so there are many small groups, and the
 * per-queue limit of plain FIFO (300 requests/s) would cap the engine.
 */
export function queueFromDefinition(
  scope: Construct,
  id: string,
  prefix: string,
  definition: QueueDefinition,
  encryptionKey: kms.IKey | undefined,
): QueueWithDeadLetters {
  const deadLetters = new sqs.Queue(
    scope,
    `${id}DeadLetters`,
    queueProps(prefix, deadLetterQueue(definition), encryptionKey),
  );
  const highThroughput: Partial<sqs.QueueProps> = definition.fifo
    ? {
        deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
        fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      }
    : {};
  const queue = new sqs.Queue(scope, id, {
    ...queueProps(prefix, definition, encryptionKey),
    ...highThroughput,
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: definition.maxReceiveCount },
  });
  return { queue, deadLetterQueue: deadLetters };
}

/**
 * The queue a failed stream batch is sent to, named from its definition: the API finds it by name
 * (`cairn dlq`), as the local stack does.
 */
export function failureDestinationQueue(
  scope: Construct,
  id: string,
  prefix: string,
  definition: QueueDefinition,
  encryptionKey: kms.IKey | undefined,
): sqs.Queue {
  return new sqs.Queue(scope, id, {
    queueName: physicalName(prefix, definition),
    retentionPeriod: Duration.seconds(definition.retentionSeconds),
    enforceSSL: true,
    ...encryptionOf(encryptionKey),
  });
}

/**
 * A stream mapping's on-failure destination. Unlike `SqsDlq`, it grants only `sqs:SendMessage`
 * (what Lambda calls); `SqsDlq` would add wildcard KMS actions (`kms:GenerateDataKey*`,
 * `kms:ReEncrypt*`) when the queue has a customer-managed key, whose use the Engine grants itself.
 */
export function failureDestination(queue: sqs.IQueue): lambda.IEventSourceDlq {
  return {
    bind: (_target, targetHandler) => {
      targetHandler.addToRolePolicy(
        new iam.PolicyStatement({ actions: [...FAILURE_DESTINATION_ACTIONS], resources: [queue.queueArn] }),
      );
      return { destination: queue.queueArn };
    },
  };
}

/** An SQS event source's batching window: the definitions say 0 for "none", which FIFO requires. */
export function batchingWindow(seconds: number): Duration | undefined {
  return seconds > 0 ? Duration.seconds(seconds) : undefined;
}
