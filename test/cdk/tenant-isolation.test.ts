import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { Engine, Worker } from 'cairnflow/cdk';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  engineFixture,
  loanEntry,
  logicalId,
  orderEntry,
  type Statement,
  statementsOfRole,
} from './fixtures.ts';

// Namespaces are a security boundary (issue 11, "Tenant isolation"): over the synthesized template,
// each tenant's worker role reaches only its own namespace's items, payloads and queues.
describe('tenant isolation in the template', () => {
  let stack: Stack;
  let template: Template;
  let engine: Engine;
  let a: Worker;
  let b: Worker;
  let roleOf: (worker: Worker) => Statement[];

  beforeAll(() => {
    // GIVEN two tenants' workers on one engine
    ({ stack, engine, template } = engineFixture(
      {},
      {
        TenantA: { taskQueue: 'loans', entry: loanEntry, namespace: 'tenant-a' },
        TenantB: { taskQueue: 'orders', entry: orderEntry, namespace: 'tenant-b' },
      },
    ));
    [a, b] = engine.workers as [Worker, Worker];
    roleOf = (worker) => statementsOfRole(template, logicalId(worker.role, stack));
  });

  it("confines every table statement of a worker to its namespace's leading keys (and the list of namespaces)", () => {
    for (const [worker, namespace] of [
      [a, 'tenant-a'],
      [b, 'tenant-b'],
    ] as const) {
      const dynamo = roleOf(worker).filter((s) => actionsOf(s).some((x) => x.startsWith('dynamodb:')));
      expect(dynamo.length).toBeGreaterThan(0);
      for (const statement of dynamo) {
        const keys = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[];
        expect(keys).toBeDefined();
        expect(keys.every((key) => key === `${namespace}#*` || key === 'due#namespaces')).toBe(true);
        // Its due-time index is under its own keys; outside them it may only add a namespace's
        // name to the sweeper's list (a put, never a read or a delete), not park another's task.
        if (keys.includes('due#namespaces')) {
          expect(keys).toEqual(['due#namespaces']);
          expect(actionsOf(statement)).toEqual(['dynamodb:PutItem']);
        }
        // No whole-table reads that a key condition cannot confine.
        expect(actionsOf(statement)).not.toContain('dynamodb:Scan');
      }
    }
  });

  it("never names the other tenant's namespace, payload prefix or queues", () => {
    const text = (worker: Worker) => JSON.stringify(roleOf(worker));
    const queues = (worker: Worker) =>
      [worker.workflowQueue, worker.activityQueue].map((q) => logicalId(q, stack));
    expect(text(a)).not.toContain('tenant-b');
    expect(text(b)).not.toContain('tenant-a');
    for (const id of queues(b)) expect(text(a)).not.toContain(id);
    for (const id of queues(a)) expect(text(b)).not.toContain(id);
    expect(text(a)).toContain('/payloads/tenant-a/*');
    expect(text(b)).toContain('/payloads/tenant-b/*');
  });
});
