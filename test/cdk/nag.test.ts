import { type Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApiAuthorization } from 'cairnflow/cdk';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExampleStack } from '../../bin/app.ts';
import { engineFixture, testApp } from './fixtures.ts';

/** Every acknowledged rule in a construct tree: rule id → reasons. */
function acknowledgements(root: IConstruct): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const rule = id.replace(/^annotation::/i, '');
        found.set(rule, [...(found.get(rule) ?? []), reason]);
      }
    }
  }
  return found;
}

/** Findings of the AwsSolutions pack that no acknowledgement covers (errors and warnings alike). */
function findings(stack: Stack): string[] {
  return new AwsSolutionsChecks()
    .validateScope(stack)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`),
    );
}

describe('cdk-nag AwsSolutions checks', () => {
  let stack: Stack;

  beforeAll(() => {
    // GIVEN the app `cdk deploy` deploys
    ({ stack } = buildExampleStack(testApp()));
  });

  it('reports no unacknowledged finding on the example app', () => {
    expect(findings(stack)).toEqual([]);
  });

  it('leaves no error annotation on the stack', () => {
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual(
      [],
    );
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('gives every acknowledgement a written reason, and acknowledges only what Cairn must', () => {
    const acknowledged = acknowledgements(stack);
    for (const [rule, reasons] of acknowledged) {
      for (const reason of reasons) expect(reason.length, rule).toBeGreaterThan(60);
    }
    expect([...acknowledged.keys()].map((rule) => rule.replace(/\[.*\]$/, '[…]')).sort()).toEqual([
      'AwsSolutions-IAM5[…]', // dynamodb:ListStreams takes only Resource: *
      'AwsSolutions-IAM5[…]', // payloads/* (engine functions)
      'AwsSolutions-IAM5[…]', // payloads/default/* (workers)
      'AwsSolutions-L1', // nodejs22.x on purpose
      'AwsSolutions-S1', // no server access logs unless a bucket is given
      'AwsSolutions-SQS3', // the router's failure destination is itself a dead-letter queue
    ]);
  });

  it('passes with a customer-managed key and a JWT authorizer as well', () => {
    // GIVEN the other security options
    const { stack: variant } = engineFixture((scope) => ({
      encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }),
      authorization: ApiAuthorization.jwt({ issuer: 'https://auth.example.com/', audience: ['cairn'] }),
    }));
    expect(findings(variant)).toEqual([]);
  });
});
