// Two versions of one workflow: v2 changed the code while runs of v1 were open.
import { patched, proxyActivities, sleep } from 'cairnflow/workflow';

const { echo } = proxyActivities<{ echo(value: string): Promise<string> }>({
  startToCloseTimeout: '1 minute',
});

export const v1 = {
  async greeter(name: string): Promise<string> {
    const greeting = await echo(`hello ${name}`);
    await sleep('1 hour');
    return greeting;
  },
};

/** Breaks replay: sleeps before the activity instead of after it. */
export const v2Broken = {
  async greeter(name: string): Promise<string> {
    await sleep('1 hour');
    return echo(`hello ${name}`);
  },
};

/** Changes safely: new runs take the new path, old runs keep the old one. */
export const v2Patched = {
  async greeter(name: string): Promise<string> {
    if (patched('sleep-first')) {
      await sleep('1 hour');
      return echo(`hi ${name}`);
    }
    const greeting = await echo(`hello ${name}`);
    await sleep('1 hour');
    return greeting;
  },
};
