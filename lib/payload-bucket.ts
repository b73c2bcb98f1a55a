import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledge } from './acknowledgements.ts';

/**
 * The bucket large payloads are offloaded to (history keeps a reference): private, TLS only,
 * encrypted (with the engine's key when it has one), objects under `payloads/` expiring after
 * `expiration`.
 */
export function payloadBucket(
  scope: Construct,
  options: {
    encryptionKey?: kms.IKey;
    expiration: Duration;
    removalPolicy: RemovalPolicy;
    serverAccessLogsBucket?: s3.IBucket;
  },
): s3.Bucket {
  const key = options.encryptionKey;
  const bucket = new s3.Bucket(scope, 'PayloadBucket', {
    encryption: key ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
    encryptionKey: key,
    bucketKeyEnabled: key ? true : undefined,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [
      {
        id: 'ExpirePayloadsAfterRetention',
        prefix: 'payloads/',
        expiration: options.expiration,
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
    removalPolicy: options.removalPolicy,
    serverAccessLogsBucket: options.serverAccessLogsBucket,
    serverAccessLogsPrefix: options.serverAccessLogsBucket ? 'cairn-payloads/' : undefined,
  });
  if (!options.serverAccessLogsBucket) {
    acknowledge(
      bucket,
      'AwsSolutions-S1',
      'Only Cairn functions read or write this bucket, through their roles; enable CloudTrail S3 data ' +
        'events for an audit trail, or pass serverAccessLogsBucket to have server access logs.',
    );
  }
  return bucket;
}
