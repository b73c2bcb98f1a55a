// Activities of test/integration/local/eager.test.ts: they record every attempt, and a test may
// kill the invocation that runs one (a crash mid-activity).
import { Context } from 'cairnflow/activity';

export interface Attempt {
  workflowId: string;
  i: number;
  attempt: number;
}

export const attempts: Attempt[] = [];

/** Set by a test: called at the start of every attempt. */
export const probe: { onStep?: (attempt: Attempt) => void } = {};

export async function step(i: number, ms: number): Promise<number> {
  const { workflowId, attempt } = Context.current().info;
  const record = { workflowId, i, attempt };
  attempts.push(record);
  probe.onStep?.(record);
  if (ms > 0) await Context.current().sleep(ms);
  return i;
}
