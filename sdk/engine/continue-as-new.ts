import type { Command } from './commands.ts';

/**
 * Thrown by `continueAsNew()` to unwind the workflow function; the activator turns it into the
 * `ContinueAsNewWorkflowExecution` command. Not a failure: it never reaches history as one.
 */
export class ContinueAsNewRequest extends Error {
  override readonly name = 'ContinueAsNewRequest';
  constructor(readonly command: Omit<Extract<Command, { type: 'ContinueAsNewWorkflowExecution' }>, 'type'>) {
    super('Workflow continued as new');
  }
}
