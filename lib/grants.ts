import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import {
  KEY_DECRYPT_ACTIONS,
  KEY_ENCRYPT_ACTIONS,
  TABLE_READ_ACTIONS,
  TABLE_WRITE_ACTIONS,
} from './perms.ts';

/**
 * The policy statements Cairn's functions get, built from `perms.ts`. Grants are written out
 * rather than taken from `table.grantReadWriteData()` and friends because those add actions the
 * runtime never calls (BatchWriteItem, Scan, DescribeTable, …) and cannot carry a
 * `dynamodb:LeadingKeys` condition.
 */

/** Everything the runtime does to a table's items. */
export const TABLE_READ_WRITE_ACTIONS = [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] as const;

/**
 * Exactly `actions` on one table's items. With `leadingKeys`, only items whose partition key
 * matches one of the patterns (`StringLike`, e.g. `ns#*`): that is how a worker is confined to its
 * namespace, since every key of the history and executions tables starts with `${namespace}#`.
 */
export function tableStatement(
  table: dynamodb.ITable,
  actions: readonly string[],
  leadingKeys?: readonly string[],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...actions],
    resources: [table.tableArn],
    conditions: leadingKeys && { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } },
  });
}

/** Use of the customer-managed key, if there is one: decrypt only, or also produce new data. */
export function keyStatement(key: kms.IKey, write: boolean): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...(write ? KEY_ENCRYPT_ACTIONS : KEY_DECRYPT_ACTIONS)],
    resources: [key.keyArn],
  });
}
