// A workflow and activity that log at every level, written as Temporal's samples write them.
import * as wf from 'cairnflow/workflow';
import type * as activities from './logging-activities.ts';

const { chatty } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export async function loggingWorkflow(name: string): Promise<string> {
  wf.log.debug('workflow debug', { name });
  wf.log.info('workflow info', { name });
  wf.log.warn('workflow warn', { name });
  return chatty(name);
}

/** Throws a plain error: its workflow task fails (and the engine warns), as in Temporal. */
export async function brokenWorkflow(): Promise<void> {
  throw new TypeError('broken on purpose');
}
