import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { COUNT_METRICS, METRICS_NAMESPACE, TIMING_METRICS } from '../../sdk/backend/metric-definitions.ts';
import { engineFixture } from './fixtures.ts';

const FUNCTIONS = 5; // api, router, system, sweeper, and the Loans worker

describe('Engine observability (Powertools logger, EMF metrics, tracing)', () => {
  it('leaves tracing off by default: no active tracing and the Tracer disabled', () => {
    // GIVEN an engine with default props
    const { template } = engineFixture();
    // THEN no function traces, and every one tells Powertools not to
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(FUNCTIONS);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.TracingConfig).toBeUndefined();
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('false');
    }
  });

  it('turns active tracing and the Powertools Tracer on for every engine and worker function', () => {
    // GIVEN tracing: true
    const { template } = engineFixture({ tracing: true });
    // THEN every function traces, without capturing responses (they carry payloads)
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_TRACE_ENABLED: 'true',
            POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
          }),
        },
      },
      FUNCTIONS,
    );
    // … and each role may write segments
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('xray:PutTraceSegments');
  });

  it('passes cdk-nag with tracing on (the X-Ray write actions take no resource ARN)', () => {
    const { stack } = engineFixture({ tracing: true });
    const findings = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
    expect(findings).toEqual([]);
  });

  it('bundles Powertools into the functions (no layer) and names each function a service', () => {
    const { template } = engineFixture();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Layers).toBeUndefined();
      expect(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toMatch(/^cairn-/);
    }
  });

  it('graphs the EMF metrics the handlers emit on the dashboard', () => {
    const { template } = engineFixture({ prefix: 'obs' });
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    const names = [
      COUNT_METRICS.workflowsStarted,
      COUNT_METRICS.workflowsCompleted,
      COUNT_METRICS.workflowsFailed,
      COUNT_METRICS.workflowsTimedOut,
      COUNT_METRICS.activityRetries,
      COUNT_METRICS.deadLetters,
      COUNT_METRICS.activityStarts,
      TIMING_METRICS.workflowTaskLatency,
      TIMING_METRICS.activityScheduleToStartLatency,
    ];
    for (const name of names) {
      expect(body).toContain(
        `Namespace=\\\\\\"${METRICS_NAMESPACE}\\\\\\" MetricName=\\\\\\"${name}\\\\\\" Engine=\\\\\\"obs\\\\\\"`,
      );
    }
  });
});
