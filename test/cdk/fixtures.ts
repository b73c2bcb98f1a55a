import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Engine, type EngineProps, type WorkerOptions } from 'cairnflow/cdk';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** How the example app bundles (bin/app.ts): this repository is the project. */
export const repoBundling = { projectRoot: repoRoot, depsLockFilePath: join(repoRoot, 'package-lock.json') };

export const loanEntry = join(repoRoot, 'examples/loan/worker.ts');
export const orderEntry = join(repoRoot, 'examples/order-saga/worker.ts');

const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
  context?: Record<string, unknown>;
};

/**
 * An App with the context `cdk synth` has (cdk.json), so templates here equal the deployed ones.
 * Bundling is skipped unless asked for: esbuild takes seconds per function, and template
 * assertions do not need the code (`test/cdk/bundle.test.ts` bundles for real). So is the CDK's
 * built-in CloudFormation schema validation (seconds per synth) unless asked for: the
 * definitions test synthesizes the example app with it, as `cdk synth` does.
 */
export function testApp(options: { bundle?: boolean; outdir?: string; validate?: boolean } = {}): App {
  return new App({
    outdir: options.outdir,
    builtinCloudFormationValidation: options.validate ?? false,
    context: { ...cdkJson.context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
}

/**
 * A stack with an engine (and the given workers), synthesized to a template. `props` may be a
 * function of the stack, to create what the props refer to (a key, a topic) in it.
 */
export function engineFixture(
  props: EngineProps | ((stack: Stack) => EngineProps) = {},
  workers: Record<string, WorkerOptions> = { Loans: { taskQueue: 'loans', entry: loanEntry } },
): { stack: Stack; engine: Engine; template: Template } {
  const stack = new Stack(testApp(), 'Test');
  const engineProps = typeof props === 'function' ? props(stack) : props;
  const engine = new Engine(stack, 'Engine', { bundling: repoBundling, ...engineProps });
  for (const [id, options] of Object.entries(workers)) engine.addWorker(id, options);
  return { stack, engine, template: Template.fromStack(stack) };
}

/** The logical id CloudFormation knows a construct's resource by. */
export function logicalId(construct: { node: { defaultChild?: unknown } }, stack: Stack): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** The IAM statements of every policy attached to a role (its default policy). */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleLogicalId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** An IAM statement as it appears in a template. */
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}
