// Activities of test/integration/local/eager.test.ts: they record every attempt, and a test may
// kill the invocation that runs one (a crash mid-activity). Tests run concurrently: each watches
// the attempts of its own workflow ids.
import { Context } from 'cairnflow/activity';

export interface Attempt {
  workflowId: string;
  i: number;
  attempt: number;
}

export const attempts: Attempt[] = [];

/** Set by a test, by workflow id: called at the start of every attempt of that workflow's run. */
export const probes = new Map<string, (attempt: Attempt) => void>();

export async function step(i: number, ms: number): Promise<number> {
  const { workflowId, attempt } = Context.current().info;
  const record = { workflowId, i, attempt };
  attempts.push(record);
  probes.get(workflowId)?.(record);
  if (ms > 0) await Context.current().sleep(ms);
  return i;
}
