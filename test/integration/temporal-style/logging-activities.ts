import { log } from 'cairnflow/activity';

export async function chatty(name: string): Promise<string> {
  log.info('activity info', { name });
  log.warn('activity warn', { name });
  return `hello ${name}`;
}
