import type { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledgements.ts';
import { type CairnBundlingProps, cairnBundlingOptions } from './bundling.ts';
import { EXEC_WRAPPER_PATH } from './node-flags.ts';
import { LOG_WRITE_ACTIONS } from './perms.ts';

/** How one of Cairn's functions is built; every field is decided by the Engine or the Worker. */
export interface CairnFunctionProps {
  /** The user's entry file (bundled by NodejsFunction in the user's project), or Cairn's own bundled code. */
  source: { entry: string; handler?: string; bundling?: CairnBundlingProps } | { code: lambda.Code };
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
  reservedConcurrentExecutions?: number;
  /** Lambda active tracing (X-Ray) and the Powertools Tracer (the Engine's `tracing`). */
  tracing: boolean;
  /** Retries of asynchronous invocations (the sweeper's schedule). */
  retryAttempts?: number;
}

/**
 * A Lambda function as every Cairn function is deployed: `nodejs22.x` on arm64, bundled by local
 * esbuild, with a role of its own (no managed policy; each grant is added where it is needed) and
 * a log group with a retention period, which the role alone may write.
 */
export class CairnFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CairnFunctionProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...LOG_WRITE_ACTIONS], resources: [this.logGroup.logGroupArn] }),
    );
    const common: lambda.FunctionOptions = {
      description: props.description,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      // The bundles are minified; source maps keep failures' stack traces readable.
      // NODE_OPTIONS cannot carry Cairn's Node flags; the exec wrapper in the bundle adds them.
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        AWS_LAMBDA_EXEC_WRAPPER: EXEC_WRAPPER_PATH,
        // The Powertools Tracer (and the X-Ray SDK under it) is loaded only when this is true.
        POWERTOOLS_TRACE_ENABLED: String(props.tracing),
        // Responses carry workflow payloads: traces record calls, never their data.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        ...props.environment,
      },
      // Unset (not "PassThrough") when off, so that the default template has no TracingConfig.
      tracing: props.tracing ? lambda.Tracing.ACTIVE : undefined,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      retryAttempts: props.retryAttempts,
    };
    const { source } = props;
    this.function =
      'code' in source
        ? new lambda.Function(this, 'Resource', {
            ...common,
            runtime: lambda.Runtime.NODEJS_22_X,
            code: source.code,
            handler: 'index.handler',
          })
        : new NodejsFunction(this, 'Resource', {
            ...common,
            entry: source.entry,
            handler: source.handler,
            runtime: lambda.Runtime.NODEJS_22_X,
            projectRoot: source.bundling?.projectRoot,
            depsLockFilePath: source.bundling?.depsLockFilePath,
            bundling: cairnBundlingOptions(source.bundling),
          });
    if (props.tracing) {
      acknowledge(
        this,
        'AwsSolutions-IAM5[Resource::*]',
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords take no resource ARN ' +
          '(X-Ray has no resource-level permissions for them); the Lambda service adds them so.',
      );
    }
    acknowledge(
      this,
      'AwsSolutions-L1',
      'Cairn pins nodejs22.x on purpose: package.json engines, the esbuild target and the replay ' +
        'determinism guards are built and tested for Node 22. A newer runtime is an engine upgrade ' +
        'made deliberately (with its tests), not a drift to follow automatically.',
    );
  }

  /** Adds a statement to this function's role. */
  addToRolePolicy(statement: iam.PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}
