import type { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { EngineDashboard } from './dashboard.ts';
import type { EngineFunctions } from './engine-functions.ts';
import type { EngineState } from './engine-state.ts';
import { deadLetterAlarm, functionAlarms, iteratorAgeAlarm } from './monitoring.ts';

/** The engine's own alarms: dead letters of its queues, the router's lag, and each function's errors and throttles. */
export function engineAlarms(
  scope: Construct,
  options: {
    state: EngineState;
    functions: EngineFunctions;
    iteratorAgeAlarmThreshold: Duration;
    alarmActions: readonly cloudwatch.IAlarmAction[];
  },
): cloudwatch.Alarm[] {
  const { state, functions, alarmActions } = options;
  return [
    deadLetterAlarm(
      scope,
      'SystemDeadLettersAlarm',
      state.systemDeadLetterQueue,
      'The system DLQ',
      alarmActions,
    ),
    deadLetterAlarm(
      scope,
      'RouterFailuresAlarm',
      state.routerFailureQueue,
      "The router's failure destination",
      alarmActions,
    ),
    iteratorAgeAlarm(
      scope,
      'RouterIteratorAgeAlarm',
      functions.router.function,
      options.iteratorAgeAlarmThreshold,
      alarmActions,
    ),
    ...functionAlarms(scope, 'ApiFunction', functions.api.function, 'The API function', alarmActions),
    ...functionAlarms(scope, 'RouterFunction', functions.router.function, 'The router', alarmActions),
    ...functionAlarms(
      scope,
      'SystemFunction',
      functions.system.function,
      'The system function',
      alarmActions,
    ),
    ...functionAlarms(scope, 'SweeperFunction', functions.sweeper.function, 'The sweeper', alarmActions),
  ];
}

/** The engine's dashboard, before any worker registered (each adds its function and queues). */
export function engineDashboard(
  scope: Construct,
  options: { prefix: string; httpApi: apigwv2.HttpApi; state: EngineState; functions: EngineFunctions },
): EngineDashboard {
  const { state, functions } = options;
  return new EngineDashboard(scope, 'Dashboard', {
    engine: options.prefix,
    api: options.httpApi,
    router: functions.router.function,
    functions: {
      api: functions.api.function,
      router: functions.router.function,
      system: functions.system.function,
      sweeper: functions.sweeper.function,
    },
    queues: { system: state.systemQueue },
    deadLetterQueues: {
      'system DLQ': state.systemDeadLetterQueue,
      'router failures': state.routerFailureQueue,
    },
  });
}
