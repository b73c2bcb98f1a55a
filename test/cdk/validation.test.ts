import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ApiAuthorization, Engine, type EngineProps, type WorkerOptions } from 'cairnflow/cdk';
import { describe, expect, it } from 'vitest';
import { loanEntry, repoBundling, testApp } from './fixtures.ts';

/** Builds (never synthesizes) an engine; validation happens in the constructors. */
function engine(props: EngineProps = {}, stackName = 'Test'): Engine {
  return new Engine(new Stack(testApp(), stackName), 'Engine', { bundling: repoBundling, ...props });
}

function addWorker(options: Partial<WorkerOptions>, engineProps: EngineProps = {}) {
  return () => engine(engineProps).addWorker('Worker', { taskQueue: 'loans', entry: loanEntry, ...options });
}

describe('Engine props validation', () => {
  it('names the construct and says what to change', () => {
    expect(() => engine({ prefix: 'has space' })).toThrow(
      "Engine 'Test/Engine': prefix 'has space' cannot prefix queue names: set prefix to 1-40 letters, digits, '-' or '_'",
    );
  });

  it('refuses a stack name that cannot be the default prefix', () => {
    expect(() => engine({}, 'A'.repeat(41))).toThrow(/the stack name, the default prefix, .* set prefix/);
  });

  it('refuses a retention that is not whole days', () => {
    expect(() => engine({ retention: Duration.hours(36) })).toThrow(
      /retention must be a positive whole number of days/,
    );
  });

  it('refuses payloads that would expire before the retention of their run', () => {
    expect(() => engine({ retention: Duration.days(30), payloadExpiration: Duration.days(30) })).toThrow(
      /payloadExpiration \(30 days\) must exceed retention \(30 days\)/,
    );
  });

  it('refuses DESTROY on tables that keep deletion protection', () => {
    expect(() => engine({ removalPolicy: RemovalPolicy.DESTROY })).toThrow(
      /set deletionProtection: false as well/,
    );
  });

  it('refuses negative throttling and a sub-second iterator age alarm', () => {
    expect(() => engine({ apiThrottle: { rateLimit: -1 } })).toThrow(
      /apiThrottle.rateLimit must be a non-negative/,
    );
    expect(() => engine({ iteratorAgeAlarmThreshold: Duration.millis(100) })).toThrow(/at least 1 second/);
  });

  it('refuses a JWT issuer that is not https and an empty audience', () => {
    expect(() => ApiAuthorization.jwt({ issuer: 'http://auth.example.com', audience: ['x'] })).toThrow(
      /issuer 'http:\/\/auth.example.com' must be an https URL/,
    );
    expect(() => ApiAuthorization.jwt({ issuer: 'https://auth.example.com', audience: [] })).toThrow(
      /audience must name at least one/,
    );
  });

  it('refuses grants for a namespace IAM patterns cannot scope', () => {
    const role = (scope: Engine) =>
      new iam.Role(scope, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    const subject = engine();
    expect(() => subject.grantStart(role(subject), 'a*')).toThrow(/grantStart: namespace 'a\*' must match/);
  });
});

describe('Worker props validation', () => {
  it('refuses a task queue that cannot be part of a queue name', () => {
    expect(addWorker({ taskQueue: 'loans.v2' })).toThrow(
      "Worker 'Test/Engine/Worker': taskQueue 'loans.v2' must be 1-64 letters, digits, '-' or '_', because it becomes part of SQS queue names",
    );
    expect(addWorker({ taskQueue: 'x'.repeat(65) })).toThrow(/must be 1-64 letters/);
  });

  it('refuses a task queue whose queue names would exceed 80 characters with this prefix', () => {
    expect(addWorker({ taskQueue: 'q'.repeat(60) }, { prefix: 'p'.repeat(20) })).toThrow(
      /would be 93 characters, SQS allows 80; shorten the taskQueue or the engine's prefix/,
    );
  });

  it('refuses a timeout above 15 minutes or below a second', () => {
    expect(addWorker({ timeout: Duration.minutes(16) })).toThrow(
      /timeout 16 minutes is out of range; use whole seconds from 1 second to 15 minutes/,
    );
    expect(addWorker({ timeout: Duration.millis(500) })).toThrow(/timeout .* is out of range/);
  });

  it('refuses memory outside 128..10240 MB', () => {
    expect(addWorker({ memorySize: 64 })).toThrow(/memorySize 64 is out of range; .* from 128 to 10240/);
    expect(addWorker({ memorySize: 10_241 })).toThrow(/memorySize 10241 is out of range/);
  });

  it('refuses a reserved concurrency of zero, which would stop the worker', () => {
    expect(addWorker({ reservedConcurrentExecutions: 0 })).toThrow(/0 would stop the worker/);
  });

  it('refuses a namespace that could alias another tenant’s keys', () => {
    expect(addWorker({ namespace: 'a#b' })).toThrow(/namespace 'a#b' must match/);
    expect(addWorker({ namespace: 'a/b' })).toThrow(/namespace 'a\/b' must match/);
  });

  it('refuses an entry that does not exist', () => {
    expect(addWorker({ entry: 'examples/nope/worker.ts' })).toThrow(
      /entry 'examples\/nope\/worker.ts' is not an existing .ts\/.mts\/.js\/.mjs file; pass the file that exports handler = createWorker/,
    );
  });

  it('refuses CAIRN_* environment variables, which are the engine’s', () => {
    expect(addWorker({ environment: { CAIRN_PREFIX: 'x' } })).toThrow(/environment sets CAIRN_PREFIX/);
  });

  it('refuses a second worker for the same task queue', () => {
    const subject = engine();
    subject.addWorker('First', { taskQueue: 'loans', entry: loanEntry });
    expect(() => subject.addWorker('Second', { taskQueue: 'loans', entry: loanEntry })).toThrow(
      "Worker 'Test/Engine/Second': task queue 'loans' already has a worker (Test/Engine/First); each task queue has exactly one Worker",
    );
  });
});
