import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ApiAuthorization, type Engine } from 'cairnflow/cdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXECUTIONS_TABLE, HISTORY_TABLE, MAPPINGS, SYSTEM_QUEUE } from '../../sdk/backend/definitions.ts';
import { actionsOf, engineFixture, logicalId, resourcesOf, statementsOfRole } from './fixtures.ts';

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

describe('Engine with default props', () => {
  let stack: Stack;
  let engine: Engine;
  let template: Template;

  beforeAll(() => {
    // GIVEN an engine with one worker and no props
    ({ stack, engine, template } = engineFixture());
  });

  describe('tables', () => {
    it('bills both tables on demand, with point-in-time recovery, deletion protection and AWS-managed encryption', () => {
      template.resourcePropertiesCountIs(
        'AWS::DynamoDB::Table',
        {
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent(), SSEType: Match.absent() },
        },
        2,
      );
    });

    it("streams the history table's new images to the router", () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: HISTORY_TABLE.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: HISTORY_TABLE.sortKey!.name, KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      });
    });

    it('expires closed runs through the TTL attribute of the definitions', () => {
      for (const definition of [HISTORY_TABLE, EXECUTIONS_TABLE]) {
        const table = definition === HISTORY_TABLE ? engine.historyTable : engine.executionsTable;
        template.hasResource('AWS::DynamoDB::Table', {
          Properties: Match.objectLike({
            TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
          }),
        });
        expect(template.toJSON().Resources[logicalId(table, stack)].DeletionPolicy).toBe('Retain');
      }
    });
  });

  describe('payload bucket', () => {
    it('is encrypted, blocks public access and is retained', () => {
      template.hasResource('AWS::S3::Bucket', {
        Properties: Match.objectLike({
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        }),
        DeletionPolicy: 'Retain',
      });
    });

    it('refuses requests without TLS 1.2', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Deny',
              Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
            }),
          ]),
        },
      });
    });

    it('expires payloads after the retention plus a year of run time', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ Prefix: 'payloads/', ExpirationInDays: 30 + 365, Status: 'Enabled' })],
        },
      });
    });
  });

  describe('functions', () => {
    it('runs every function on nodejs22.x, arm64, with its own log group', () => {
      const functions = template.findResources('AWS::Lambda::Function');
      expect(Object.keys(functions)).toHaveLength(5);
      for (const fn of Object.values(functions)) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        });
      }
      template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 6);
    });

    it('gives every function the CAIRN_* environment the runtime reads', () => {
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
        expect(fn.Properties.Environment.Variables).toMatchObject({
          CAIRN_PREFIX: 'Test',
          CAIRN_HISTORY_TABLE: { Ref: logicalId(engine.historyTable, stack) },
          CAIRN_EXECUTIONS_TABLE: { Ref: logicalId(engine.executionsTable, stack) },
          CAIRN_PAYLOAD_BUCKET: { Ref: logicalId(engine.payloadBucket, stack) },
          CAIRN_LOG_LEVEL: 'info',
          CAIRN_RETENTION_DAYS: '30',
          NODE_OPTIONS: '--enable-source-maps',
        });
      }
    });

    it("tells every engine function (not the workers) each task queue's worker function", () => {
      const worker = engine.workers[0]!;
      const resources = template.toJSON().Resources as Record<
        string,
        { Properties: { Environment: { Variables: Record<string, unknown> } } }
      >;
      const known = (fn: { node: { defaultChild?: unknown } }) =>
        resources[logicalId(fn, stack)]!.Properties.Environment.Variables.CAIRN_WORKER_FUNCTIONS;
      for (const fn of [
        engine.apiFunction,
        engine.routerFunction,
        engine.systemFunction,
        engine.sweeperFunction,
      ]) {
        expect(known(fn)).toEqual({
          'Fn::Join': ['', ['{"loans":"', { Ref: logicalId(worker.function, stack) }, '"}']],
        });
      }
      // A function's environment cannot name the function itself.
      expect(known(worker.function)).toBeUndefined();
    });

    it('gives roles no managed policy and no wildcard action', () => {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
      for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          for (const action of actionsOf(statement)) expect(action, action).not.toContain('*');
        }
      }
    });
  });

  describe('router', () => {
    it('consumes the history stream with bisect on error, bounded retries and a failure destination', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: getAtt(logicalId(engine.historyTable, stack), 'StreamArn'),
        FunctionName: { Ref: logicalId(engine.routerFunction, stack) },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: MAPPINGS.router.batchSize,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: MAPPINGS.router.maximumRetryAttempts,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Destination: getAtt(logicalId(engine.routerFailureQueue, stack)) },
        },
      });
    });

    it('reads history and payloads, parks only due-time index items, and sends to task queues', () => {
      const statements = statementsOfRole(template, logicalId(engine.routerFunction.role!, stack));
      const history = getAtt(logicalId(engine.historyTable, stack));
      const executions = getAtt(logicalId(engine.executionsTable, stack));
      const onHistory = statements.filter((s) =>
        resourcesOf(s).some((r) => JSON.stringify(r) === JSON.stringify(history)),
      );
      expect(onHistory.flatMap(actionsOf).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
      const onExecutions = statements.filter((s) =>
        resourcesOf(s).some((r) => JSON.stringify(r) === JSON.stringify(executions)),
      );
      expect(onExecutions).toEqual([
        expect.objectContaining({
          Action: 'dynamodb:PutItem',
          Condition: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['due#namespaces', '*#due#*'] },
          },
        }),
      ]);
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: ['sqs:GetQueueUrl', 'sqs:SendMessage'] }),
      );
      // Lambda sends batches that failed every retry to the failure destination with this role.
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 'sqs:SendMessage',
          Resource: getAtt(logicalId(engine.routerFailureQueue, stack)),
        }),
      );
    });
  });

  describe('API function', () => {
    it('may send to the system queue and to the task queues (a schedule tick; a redrive puts tasks back)', () => {
      const statements = statementsOfRole(template, logicalId(engine.apiFunction.role!, stack));
      const sends = statements.filter((s) => actionsOf(s).includes('sqs:SendMessage'));
      const worker = engine.workers[0]!;
      expect(sends).toHaveLength(1);
      expect(sends[0]!.Action).toEqual(['sqs:GetQueueUrl', 'sqs:SendMessage']);
      expect(resourcesOf(sends[0]!)).toEqual(
        expect.arrayContaining(
          [engine.systemQueue, worker.workflowQueue, worker.activityQueue].map((q) =>
            getAtt(logicalId(q, stack)),
          ),
        ),
      );
      expect(resourcesOf(sends[0]!)).toHaveLength(3);
    });

    it('may read and delete messages of the dead-letter queues and the router failures only (cairn dlq)', () => {
      const statements = statementsOfRole(template, logicalId(engine.apiFunction.role!, stack));
      const reads = statements.filter((s) => actionsOf(s).includes('sqs:ReceiveMessage'));
      const worker = engine.workers[0]!;
      expect(reads).toHaveLength(1);
      expect([...actionsOf(reads[0]!)].sort()).toEqual([
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ]);
      const parking = [
        engine.systemDeadLetterQueue,
        engine.routerFailureQueue,
        worker.workflowDeadLetterQueue,
        worker.activityDeadLetterQueue,
      ];
      expect(resourcesOf(reads[0]!)).toHaveLength(parking.length);
      expect(resourcesOf(reads[0]!)).toEqual(
        expect.arrayContaining(parking.map((q) => getAtt(logicalId(q, stack)))),
      );
      // A redrive of the router's failures reads their records back from the history stream.
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          Resource: getAtt(logicalId(engine.historyTable, stack), 'StreamArn'),
        }),
      );
    });

    it('names the router failure destination from the definitions, so the API finds it', () => {
      template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'Test-router-failures' });
    });
  });

  describe('system queue, system function and sweeper', () => {
    it('names the system queue from the definitions and gives it a dead-letter queue', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'Test-system',
        VisibilityTimeout: SYSTEM_QUEUE.visibilityTimeoutSeconds,
        RedrivePolicy: {
          deadLetterTargetArn: getAtt(logicalId(engine.systemDeadLetterQueue, stack)),
          maxReceiveCount: SYSTEM_QUEUE.maxReceiveCount,
        },
        SqsManagedSseEnabled: true,
      });
    });

    it('consumes the system queue with partial batch failures, within a sixth of its visibility timeout', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: getAtt(logicalId(engine.systemQueue, stack)),
        FunctionName: { Ref: logicalId(engine.systemFunction, stack) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('system tasks'),
        Timeout: SYSTEM_QUEUE.visibilityTimeoutSeconds / 6,
      });
    });

    it('runs the sweeper every minute without retries (the next run resumes from its cursor)', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: getAtt(logicalId(engine.sweeperFunction, stack)),
            RetryPolicy: { MaximumRetryAttempts: 0 },
          }),
        ],
      });
    });

    it('confines the sweeper to the due-time index', () => {
      const statements = statementsOfRole(template, logicalId(engine.sweeperFunction.role!, stack));
      const dynamodb = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamodb).toHaveLength(1);
      expect(actionsOf(dynamodb[0]!).sort()).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
      ]);
      expect(dynamodb[0]!.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['due#namespaces', '*#due#*'] },
      });
    });
  });

  describe('HTTP API', () => {
    it('sends every request to the API function with payload format 2.0, authorized by IAM', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: '$default',
        AuthorizationType: 'AWS_IAM',
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: getAtt(logicalId(engine.apiFunction, stack)),
      });
    });

    it('writes access logs and throttles the stage', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: {
          DestinationArn: getAtt(logicalId(engine.accessLogGroup, stack)),
          Format: Match.stringLikeRegexp('\\$context\\.requestId'),
        },
        DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      });
    });

    it('lets grantStart and grantRead call only their routes in one namespace', () => {
      // WHEN a role is granted start and read in namespace 'shop'
      const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
      engine.grantStart(role, 'shop');
      engine.grantRead(role, 'shop');
      const rendered = JSON.stringify(
        stack.resolve((role.node.findChild('DefaultPolicy') as iam.Policy).document),
      );
      // THEN the resources are exact execute-api ARNs of the $default stage
      for (const route of [
        '/$default/POST/v1/namespaces/shop/workflows"',
        '/$default/GET/v1/namespaces/shop/workflows"',
        '/$default/GET/v1/namespaces/shop/workflows/*"',
        '/$default/POST/v1/namespaces/shop/workflows/*/queries/*"',
        '/$default/POST/v1/namespaces/shop/workflow-results"',
        '/$default/GET/v1/namespaces/shop/schedules"',
        '/$default/GET/v1/namespaces/shop/schedules/*"',
      ]) {
        expect(rendered).toContain(route);
      }
      expect(rendered).toContain('"execute-api:Invoke"');
      expect(rendered).not.toContain('/signals/');
    });
  });

  it('lets grantFullAccess call every route of the stage', () => {
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    engine.grantFullAccess(role);
    const rendered = JSON.stringify(
      stack.resolve((role.node.findChild('DefaultPolicy') as iam.Policy).document),
    );
    expect(rendered).toContain('/$default/*/*"');
  });

  it('offers the router lag, system backlog and API error metrics', () => {
    const config = (metric: { toMetricConfig(): { metricStat?: unknown } }) =>
      stack.resolve(metric.toMetricConfig().metricStat);
    expect(config(engine.metricRouterIteratorAge())).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      statistic: 'Maximum',
    });
    expect(config(engine.metricSystemBacklog())).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
    });
    expect(config(engine.metricApiServerErrors())).toMatchObject({
      namespace: 'AWS/ApiGateway',
      metricName: '5xx',
    });
  });

  describe('alarms and dashboard', () => {
    it('alarms on dead letters, function errors and throttles, and stream iterator age', () => {
      // 2 dead-letter alarms + 4 functions × 2 + iterator age; the worker: 2 + 2.
      expect(engine.alarms).toHaveLength(2 + 8 + 1 + 4);
      template.resourceCountIs('AWS::CloudWatch::Alarm', engine.alarms.length);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'IteratorAge',
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Threshold: 60_000,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(engine.routerFunction, stack) } }],
      });
      for (const queue of [engine.systemDeadLetterQueue, engine.routerFailureQueue]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Namespace: 'AWS/SQS',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Dimensions: [{ Name: 'QueueName', Value: getAtt(logicalId(queue, stack), 'QueueName') }],
        });
      }
      for (const fn of [
        engine.apiFunction,
        engine.routerFunction,
        engine.systemFunction,
        engine.sweeperFunction,
      ]) {
        for (const metric of ['Errors', 'Throttles']) {
          template.hasResourceProperties('AWS::CloudWatch::Alarm', {
            MetricName: metric,
            Threshold: 1,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn, stack) } }],
          });
        }
      }
    });

    it('has a dashboard', () => {
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    });
  });
});

describe('Engine with a customer-managed key', () => {
  let stack: Stack;
  let engine: Engine;
  let template: Template;
  let key: kms.Key;

  beforeAll(() => {
    // GIVEN an engine given a KMS key
    ({ stack, engine, template } = engineFixture((scope) => {
      key = new kms.Key(scope, 'Key', { enableKeyRotation: true });
      return { encryptionKey: key };
    }));
  });

  it('encrypts the tables, the bucket and every queue with the key', () => {
    const keyArn = getAtt(logicalId(key, stack));
    template.resourcePropertiesCountIs(
      'AWS::DynamoDB::Table',
      { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn } },
      2,
    );
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
          },
        ],
      },
    });
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    for (const queue of queues) expect(queue.Properties.KmsMasterKeyId).toEqual(keyArn);
  });

  it('still grants no wildcard action', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of actionsOf(statement)) expect(action, action).not.toContain('*');
      }
    }
  });

  it('lets every function use the key, and only the key', () => {
    const keyArn = getAtt(logicalId(key, stack));
    const functions = [
      engine.apiFunction,
      engine.routerFunction,
      engine.systemFunction,
      engine.sweeperFunction,
      ...engine.workers.map((worker) => worker.function),
    ];
    for (const fn of functions) {
      const statements = statementsOfRole(template, logicalId(fn.role!, stack));
      const kmsActions = statements
        .filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))
        .flatMap((s) => {
          expect(resourcesOf(s)).toEqual([keyArn]);
          return actionsOf(s);
        });
      expect(kmsActions, fn.node.path).toEqual(
        expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey']),
      );
    }
  });
});

describe('Engine options', () => {
  it('takes a JWT authorizer instead of IAM, and then refuses IAM grants', () => {
    // GIVEN an engine with JWT authorization
    const { engine, template } = engineFixture({
      authorization: ApiAuthorization.jwt({
        issuer: 'https://auth.example.com/',
        audience: ['cairn'],
        scopes: ['workflows/start'],
      }),
    });
    // THEN the route uses a JWT authorizer with the issuer, audience and scopes
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://auth.example.com/', Audience: ['cairn'] },
      IdentitySource: ['$request.header.Authorization'],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'JWT',
      AuthorizationScopes: ['workflows/start'],
    });
    // AND grants, which mean nothing to a JWT authorizer, fail loudly
    const role = new iam.Role(engine, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => engine.grantStart(role)).toThrow(/needs IAM authorization/);
  });

  it('applies retention, removal policy, deletion protection, throttling, log level and alarm actions', () => {
    // GIVEN an engine with every tunable set
    const { stack, engine, template } = engineFixture({
      prefix: 'acme',
      retention: Duration.days(7),
      payloadExpiration: Duration.days(100),
      deletionProtection: false,
      removalPolicy: RemovalPolicy.DESTROY,
      apiThrottle: { rateLimit: 50, burstLimit: 60 },
      logLevel: 'debug',
      dashboard: false,
    });
    // THEN each one shows in the template
    template.resourcePropertiesCountIs('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false }, 2);
    expect(template.toJSON().Resources[logicalId(engine.historyTable, stack)].DeletionPolicy).toBe('Delete');
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 100 })] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 60 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CAIRN_PREFIX: 'acme',
          CAIRN_LOG_LEVEL: 'debug',
          CAIRN_RETENTION_DAYS: '7',
        }),
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'acme-wf-loans.fifo' });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  it('sends every alarm, workers included, to the alarm actions', () => {
    // GIVEN an engine whose alarms notify a topic
    let topic: sns.Topic | undefined;
    const { stack, engine, template } = engineFixture((scope) => {
      topic = new sns.Topic(scope, 'Alarms', { enforceSSL: true });
      return { alarmActions: [new SnsAction(topic)] };
    });
    // THEN every alarm in the template, the worker's too, names the topic
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(engine.alarms.length);
    for (const alarm of alarms)
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalId(topic!, stack) }]);
  });
});
