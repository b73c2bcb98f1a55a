import * as wf from 'cairnflow/workflow';

/** Answers at once: its whole life is its first workflow task. */
export async function greet(name: string): Promise<string> {
  return `Hello, ${name}!`;
}

/** Waits a day after its first task, so a test can look at the run between its tasks. */
export async function greetTomorrow(name: string): Promise<string> {
  await wf.sleep('1 day');
  return `Good morning, ${name}!`;
}
