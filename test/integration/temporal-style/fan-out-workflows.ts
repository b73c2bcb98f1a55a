import * as wf from 'cairnflow/workflow';

const { lookUp } = wf.proxyActivities<{ lookUp(key: string): Promise<string> }>({
  startToCloseTimeout: '1 minute',
});

/** Looks up every key at once. */
export async function lookUpAll(keys: string[]): Promise<string[]> {
  return Promise.all(keys.map((key) => lookUp(key)));
}
