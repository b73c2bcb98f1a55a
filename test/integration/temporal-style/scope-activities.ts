import { Context } from 'cairnflow/activity';

export async function slowStep(): Promise<string> {
  await Context.current().sleep('1 minute');
  return 'finished';
}

export async function cleanup(note: string): Promise<string> {
  return `cleaned up ${note}`;
}
