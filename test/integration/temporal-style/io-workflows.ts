// Workflow code that does I/O itself: bundleWorkflowCode refuses it, as Temporal's bundler does.
import { readFileSync } from 'node:fs';

export async function readsAFile(path: string): Promise<string> {
  return readFileSync(path, 'utf8');
}
