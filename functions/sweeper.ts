import { runtimeFromEnvironment } from '../sdk/runtime/from-environment.ts';

/** Every minute: hands tasks parked in the due-time index to their queues as they come due. */
export async function handler(): Promise<{ moved: number }> {
  const { dispatch } = runtimeFromEnvironment();
  return { moved: await dispatch.sweepDue() };
}
