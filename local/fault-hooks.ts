import type { CloudRuntime } from '../sdk/runtime/from-environment.ts';
import type { SqsDeliveryHook } from './sqs-mapping.ts';
import type { StreamDeliveryHook } from './stream-mapping.ts';

/**
 * Where a fault injector (the chaos run, `local/fault-injector.ts`) holds the local stack: every
 * SQS event source mapping's deliveries, the stream mapping's deliveries, and the AWS clients of
 * the handlers' runtime (for middleware that throttles, times out or crashes calls). All optional:
 * a stack without hooks behaves exactly as without this option.
 */
export interface LocalFaultHooks {
  sqsDelivery?: SqsDeliveryHook;
  streamDelivery?: StreamDeliveryHook;
  /** Called with each runtime the handlers use (once per runtime; it is rebuilt when workers change). */
  instrumentRuntime?: (runtime: CloudRuntime) => void;
}
