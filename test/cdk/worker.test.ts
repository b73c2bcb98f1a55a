import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { Engine, Worker } from 'cairnflow/cdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAPPINGS } from '../../sdk/backend/definitions.ts';
import {
  actionsOf,
  engineFixture,
  loanEntry,
  logicalId,
  orderEntry,
  resourcesOf,
  type Statement,
  statementsOfRole,
} from './fixtures.ts';

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

describe('Worker', () => {
  let stack: Stack;
  let engine: Engine;
  let template: Template;
  let loans: Worker;
  let orders: Worker;
  let statements: Statement[];

  beforeAll(() => {
    // GIVEN two workers: one tuned, in namespace 'tenant-a'; one with defaults
    ({ stack, engine, template } = engineFixture(
      {},
      {
        Loans: {
          taskQueue: 'loans',
          entry: loanEntry,
          namespace: 'tenant-a',
          memorySize: 2048,
          timeout: Duration.minutes(2),
          reservedConcurrentExecutions: 5,
          environment: { CREDIT_BUREAU_URL: 'https://bureau.example.com' },
        },
        Orders: { taskQueue: 'orders', entry: orderEntry },
      },
    ));
    [loans, orders] = engine.workers as [Worker, Worker];
    statements = statementsOfRole(template, logicalId(loans.role, stack));
  });

  describe('function', () => {
    it('bundles the entry for nodejs22.x on arm64 with the memory, timeout and reserved concurrency asked for', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: "Cairn worker of task queue 'loans' (namespace 'tenant-a')",
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 2048,
        Timeout: 120,
        ReservedConcurrentExecutions: 5,
        Environment: {
          Variables: Match.objectLike({
            CREDIT_BUREAU_URL: 'https://bureau.example.com',
            CAIRN_PREFIX: 'Test',
          }),
        },
      });
    });

    it('defaults to 1024 MB, one minute and no reservation', () => {
      const fn = template.toJSON().Resources[logicalId(orders.function, stack)].Properties;
      expect(fn).toMatchObject({ MemorySize: 1024, Timeout: 60 });
      expect(fn.ReservedConcurrentExecutions).toBeUndefined();
    });
  });

  describe('queues', () => {
    it('has a FIFO workflow queue in high-throughput mode with a FIFO dead-letter queue', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'Test-wf-loans.fifo',
        FifoQueue: true,
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
        VisibilityTimeout: 6 * 120,
        RedrivePolicy: {
          deadLetterTargetArn: getAtt(logicalId(loans.workflowDeadLetterQueue, stack)),
          maxReceiveCount: 5,
        },
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'Test-wf-loans-dlq.fifo',
        FifoQueue: true,
        MessageRetentionPeriod: 14 * 86_400,
      });
    });

    it('has a standard activity queue with a dead-letter queue', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'Test-act-loans',
        FifoQueue: Match.absent(),
        VisibilityTimeout: 6 * 120,
        RedrivePolicy: {
          deadLetterTargetArn: getAtt(logicalId(loans.activityDeadLetterQueue, stack)),
          maxReceiveCount: 5,
        },
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'Test-act-loans-dlq',
        FifoQueue: Match.absent(),
      });
    });

    it('refuses requests without TLS on every queue', () => {
      const queues = template.findResources('AWS::SQS::Queue');
      const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
      for (const id of Object.keys(queues)) {
        const policy = policies.find((p) =>
          (p.Properties.Queues as unknown[]).some((q) => same(q, { Ref: id })),
        );
        expect(policy?.Properties.PolicyDocument.Statement, id).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    });

    it('consumes both queues with partial batch failures, batched as defined', () => {
      for (const [queue, mapping] of [
        [loans.workflowQueue, MAPPINGS.workflowTasks],
        [loans.activityQueue, MAPPINGS.activityTasks],
      ] as const) {
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: getAtt(logicalId(queue, stack)),
          FunctionName: { Ref: logicalId(loans.function, stack) },
          BatchSize: mapping.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
      }
    });

    it('alarms on dead letters in either queue and on errors and throttles', () => {
      expect(loans.alarms).toHaveLength(4);
      for (const queue of [loans.workflowDeadLetterQueue, loans.activityDeadLetterQueue]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: getAtt(logicalId(queue, stack), 'QueueName') }],
        });
      }
    });
  });

  describe('least privilege', () => {
    const onResource = (resource: unknown) =>
      statements.filter((s) => resourcesOf(s).some((r) => same(r, resource)));

    it("confines table access to the namespace's keys (and the due-time index)", () => {
      const history = onResource(getAtt(logicalId(engine.historyTable, stack)));
      const executions = onResource(getAtt(logicalId(engine.executionsTable, stack)));
      for (const statement of [...history, ...executions]) {
        expect(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toBeDefined();
      }
      const keysFor = (list: Statement[], action: string) =>
        list
          .filter((s) => actionsOf(s).includes(action))
          .flatMap((s) => s.Condition!['ForAllValues:StringLike']!['dynamodb:LeadingKeys'] as string[])
          .sort();
      expect(keysFor(history, 'dynamodb:PutItem')).toEqual(['tenant-a#*']);
      expect(keysFor(history, 'dynamodb:Query')).toEqual(['tenant-a#*']);
      expect(keysFor(executions, 'dynamodb:PutItem')).toEqual(['due#namespaces', 'tenant-a#*']);
      expect(keysFor(executions, 'dynamodb:DeleteItem')).toEqual(['tenant-a#*']);
    });

    it("reads and writes only its namespace's payloads", () => {
      const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
      expect(s3).toHaveLength(1);
      expect(actionsOf(s3[0]!).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
      expect(s3[0]!.Resource).toEqual({
        'Fn::Join': ['', [getAtt(logicalId(engine.payloadBucket, stack)), '/payloads/tenant-a/*']],
      });
    });

    it('sends only to its own queues and the system queue, and consumes only its own', () => {
      const own = [loans.workflowQueue, loans.activityQueue].map((q) => getAtt(logicalId(q, stack)));
      const system = getAtt(logicalId(engine.systemQueue, stack));
      const sqs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
      const resourcesFor = (action: string) =>
        sqs.filter((s) => actionsOf(s).includes(action)).flatMap(resourcesOf);
      expect(resourcesFor('sqs:SendMessage')).toEqual(expect.arrayContaining([...own, system]));
      expect(resourcesFor('sqs:SendMessage')).toHaveLength(3);
      expect(resourcesFor('sqs:ReceiveMessage')).toEqual(expect.arrayContaining(own));
      expect(resourcesFor('sqs:ReceiveMessage')).toHaveLength(2);
      const others = [orders.workflowQueue, orders.activityQueue].map((q) =>
        JSON.stringify(getAtt(logicalId(q, stack))),
      );
      expect(JSON.stringify(statements)).not.toContain(others[0]);
      expect(JSON.stringify(statements)).not.toContain(others[1]);
    });

    it('has no wildcard action and no wildcard resource but its payload prefix', () => {
      for (const statement of statements) {
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
        for (const resource of resourcesOf(statement)) {
          const text = JSON.stringify(resource);
          if (text.includes('*')) expect(text).toContain('/payloads/tenant-a/*');
        }
      }
    });
  });

  describe('engine wiring', () => {
    it('lets the API function invoke the worker, and only the workers', () => {
      const api = statementsOfRole(template, logicalId(engine.apiFunction.role!, stack));
      const invoke = api.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
      expect(invoke.flatMap(resourcesOf)).toEqual(
        expect.arrayContaining([loans, orders].map((w) => getAtt(logicalId(w.function, stack)))),
      );
      expect(invoke.flatMap(resourcesOf)).toHaveLength(2);
    });

    it("lets the router, the system function and the sweeper send to the worker's queues", () => {
      for (const fn of [engine.routerFunction, engine.systemFunction, engine.sweeperFunction]) {
        const sends = statementsOfRole(template, logicalId(fn.role!, stack))
          .filter((s) => actionsOf(s).includes('sqs:SendMessage'))
          .flatMap(resourcesOf);
        expect(sends, fn.node.path).toEqual(
          expect.arrayContaining(
            [loans.workflowQueue, loans.activityQueue].map((q) => getAtt(logicalId(q, stack))),
          ),
        );
      }
    });

    it('offers backlog and error metrics', () => {
      expect(stack.resolve(loans.metricWorkflowTaskBacklog().toMetricConfig().metricStat)).toMatchObject({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: [
          { name: 'QueueName', value: getAtt(logicalId(loans.workflowQueue, stack), 'QueueName') },
        ],
      });
      expect(loans.metricActivityTaskBacklog().metricName).toBe('ApproximateNumberOfMessagesVisible');
      expect(loans.metricErrors().metricName).toBe('Errors');
    });
  });
});
