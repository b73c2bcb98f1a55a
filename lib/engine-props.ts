import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { API_FUNCTION } from '../sdk/backend/definitions.ts';
import type { ApiAuthorization } from './api-authorization.ts';
import type { CairnBundlingProps } from './bundling.ts';
import { CairnPropsError } from './props-error.ts';

/** Log levels of Cairn's functions (`CAIRN_LOG_LEVEL`). */
export type CairnLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Properties of an {@link Engine}. */
export interface EngineProps {
  /**
   * Prefix of every queue name (`${prefix}-system`, `${prefix}-wf-${taskQueue}.fifo`, …): the
   * runtime finds queues by these names. Unique per account and region; letters, digits, `-`, `_`.
   *
   * @default - the stack name
   */
  readonly prefix?: string;
  /**
   * Customer-managed KMS key for the tables, the payload bucket and every queue.
   *
   * @default - AWS-managed encryption (DynamoDB's AWS-managed key, SSE-S3, SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long a closed run's history and records are kept. Items carry their expiry in the
   * tables' TTL attribute (from `sdk/backend/definitions.ts`); the functions receive the
   * retention as `CAIRN_RETENTION_DAYS`. Whole days.
   *
   * @default Duration.days(30)
   */
  readonly retention?: Duration;
  /**
   * When the payload bucket deletes an offloaded payload, counted from when it was written (S3
   * lifecycle rules know object age, not run close), so it must exceed the longest run you expect
   * plus `retention`. Whole days, longer than `retention`.
   *
   * @default - `retention` plus 365 days
   */
  readonly payloadExpiration?: Duration;
  /**
   * Deletion protection on the tables: nobody can delete them (console, API, a stack update)
   * until it is turned off.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * What happens to the tables and the payload bucket when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How callers authenticate to the HTTP API.
   *
   * @default ApiAuthorization.iam()
   */
  readonly authorization?: ApiAuthorization;
  /**
   * The API stage's throttling (requests per second, and burst).
   *
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly apiThrottle?: apigwv2.ThrottleSettings;
  /**
   * Reserved concurrency of the API function: caps how many requests it serves at once (a
   * throttled request gets API Gateway's 500, which the client retries with backoff) and keeps
   * that much of the account's concurrency for it. `cairn dev` and the local stack host the API with
   * the same cap (`apiConcurrency`).
   *
   * @default - no reservation: the account's unreserved concurrency (`API_FUNCTION`, definitions.ts)
   */
  readonly apiReservedConcurrency?: number;
  /**
   * Retention of the functions' logs and the API's access logs.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Log level of every Cairn function.
   *
   * @default 'info'
   */
  readonly logLevel?: CairnLogLevel;
  /**
   * X-Ray tracing of every engine and worker function: Lambda active tracing, and the Powertools
   * Tracer recording each AWS SDK call as a subsegment (calls only, never their responses).
   * Off, the Tracer is never loaded. Traces cost per recorded segment beyond X-Ray's free tier.
   *
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Actions of every alarm (the engine's and its workers'), e.g. an SNS topic action.
   *
   * @default - alarms change state without notifying anyone
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  /**
   * The router's iterator age (lag behind the history stream) that raises an alarm when it lasts
   * three minutes.
   *
   * @default Duration.minutes(1)
   */
  readonly iteratorAgeAlarmThreshold?: Duration;
  /**
   * Whether to create the CloudWatch dashboard (about 3 USD a month beyond the free three).
   *
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * A bucket for the payload bucket's server access logs.
   *
   * @default - no server access logs (CloudTrail data events can record payload access instead)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * Where and how esbuild bundles the workers' functions (each worker may override it). The
   * engine's own functions are bundled from the installed Cairn package with Cairn's settings.
   *
   * @default - the NodejsFunction defaults (the lock file found from the current directory)
   */
  readonly bundling?: CairnBundlingProps;
}

const DAY_SECONDS = 86_400;

/** An Engine's props, checked and defaulted. */
export interface EngineSettings {
  prefix: string;
  retentionDays: number;
  payloadExpiration: Duration;
  deletionProtection: boolean;
  removalPolicy: RemovalPolicy;
  apiThrottle: apigwv2.ThrottleSettings;
  apiReservedConcurrency: number | undefined;
  iteratorAgeAlarmThreshold: Duration;
}

/** Longest prefix that leaves room for a task queue name within SQS's 80 characters. */
const MAX_PREFIX_LENGTH = 40;

function wholeDays(engine: IConstruct, name: string, duration: Duration): number {
  const seconds = duration.toSeconds({ integral: false });
  if (seconds <= 0 || seconds % DAY_SECONDS !== 0) {
    throw new CairnPropsError(
      engine,
      'Engine',
      `${name} must be a positive whole number of days (got ${duration.toHumanString()})`,
    );
  }
  return seconds / DAY_SECONDS;
}

/** Checks an Engine's props and fills in the defaults; a `CairnPropsError` says what to change. */
export function validateEngineProps(engine: IConstruct, props: EngineProps): EngineSettings {
  const prefix = props.prefix ?? Stack.of(engine).stackName;
  if (Token.isUnresolved(prefix) || !/^[A-Za-z0-9_-]+$/.test(prefix) || prefix.length > MAX_PREFIX_LENGTH) {
    const source = props.prefix === undefined ? 'the stack name, the default prefix,' : 'prefix';
    throw new CairnPropsError(
      engine,
      'Engine',
      `${source} '${prefix}' cannot prefix queue names: set prefix to 1-${MAX_PREFIX_LENGTH} letters, digits, '-' or '_'`,
    );
  }
  const retention = props.retention ?? Duration.days(30);
  const retentionDays = wholeDays(engine, 'retention', retention);
  const payloadExpiration = props.payloadExpiration ?? Duration.days(retentionDays + 365);
  const payloadDays = wholeDays(engine, 'payloadExpiration', payloadExpiration);
  if (payloadDays <= retentionDays) {
    throw new CairnPropsError(
      engine,
      'Engine',
      `payloadExpiration (${payloadDays} days) must exceed retention (${retentionDays} days): S3 counts from when a ` +
        'payload was written, so a payload must outlive its run plus the retention of the closed run',
    );
  }
  const deletionProtection = props.deletionProtection ?? true;
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  if (deletionProtection && removalPolicy === RemovalPolicy.DESTROY) {
    throw new CairnPropsError(
      engine,
      'Engine',
      'removalPolicy DESTROY cannot delete tables with deletion protection; set deletionProtection: false as well',
    );
  }
  const apiThrottle = props.apiThrottle ?? { rateLimit: 500, burstLimit: 1000 };
  for (const [name, value] of Object.entries(apiThrottle)) {
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new CairnPropsError(
        engine,
        'Engine',
        `apiThrottle.${name} must be a non-negative number (got ${value})`,
      );
    }
  }
  const apiReservedConcurrency = props.apiReservedConcurrency ?? API_FUNCTION.reservedConcurrency;
  if (
    apiReservedConcurrency !== undefined &&
    (!Number.isInteger(apiReservedConcurrency) || apiReservedConcurrency < 1)
  ) {
    throw new CairnPropsError(
      engine,
      'Engine',
      `apiReservedConcurrency ${apiReservedConcurrency} must be a whole number of at least 1 (0 would stop the API); omit it for no reservation`,
    );
  }
  const iteratorAgeAlarmThreshold = props.iteratorAgeAlarmThreshold ?? Duration.minutes(1);
  if (iteratorAgeAlarmThreshold.toMilliseconds() < 1000) {
    throw new CairnPropsError(
      engine,
      'Engine',
      `iteratorAgeAlarmThreshold must be at least 1 second (got ${iteratorAgeAlarmThreshold.toHumanString()}); the stream is polled 4 times a second`,
    );
  }
  return {
    prefix,
    retentionDays,
    payloadExpiration,
    deletionProtection,
    removalPolicy,
    apiThrottle,
    apiReservedConcurrency,
    iteratorAgeAlarmThreshold,
  };
}
