import { scanSchedules } from '../sdk/backend/dynamodb/schedule-store.ts';
import type { CloudRuntime } from '../sdk/runtime/from-environment.ts';
import { scheduleTickItem } from '../sdk/runtime/schedule/schedule-tick.ts';

/**
 * Sends every schedule's awaited tick again, as the embedded stack starts on a kept state
 * directory. SQS keeps a delayed message through anything; the emulator forgets it at a restart.
 * What workflows had queued comes back from the history stream, which the router reads again;
 * a schedule's next tick is not in history, so it comes back from the schedule's record. A tick
 * that survived anyway arrives twice, and the second finds its token used: harmless.
 */
export async function resendScheduleWakes(runtime: CloudRuntime): Promise<number> {
  const items = [];
  for await (const record of scanSchedules({
    dynamodb: runtime.dynamodb,
    executionsTable: runtime.environment.CAIRN_EXECUTIONS_TABLE,
  })) {
    if (record.wake)
      items.push(scheduleTickItem(record.namespace, record.scheduleId, record.wake.token, record.wake.at));
    // Held actions (a trigger, a backfill) may have been waiting for a poke the emulator lost.
    if (record.buffer.length) items.push(scheduleTickItem(record.namespace, record.scheduleId));
  }
  if (items.length) await runtime.dispatch.dispatch(items);
  return items.length;
}
