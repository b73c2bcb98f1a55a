// Activities do the I/O: call services, write to databases, send mail. They run at least once,
// so make them idempotent (activityInfo().idempotencyKey is stable across retries).
import { activityInfo, log } from 'cairnflow/activity';

export async function composeGreeting(name: string): Promise<string> {
  log.info('composing a greeting', { name, attempt: activityInfo().attempt });
  return `Hello, ${name}!`;
}

export async function deliverGreeting(greeting: string): Promise<string> {
  // A real project would send the greeting somewhere; this one only reports it.
  return `delivered: ${greeting}`;
}
