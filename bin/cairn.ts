#!/usr/bin/env node
import { Command } from 'commander';
import { addDevCommand } from './cli/dev.ts';
import { addDlqCommands } from './cli/dlq-commands.ts';
import { addInitCommand } from './cli/init.ts';
import { addScheduleCommands } from './cli/schedule-commands.ts';
import { addUiCommand } from './cli/ui.ts';
import { addWorkflowCommands } from './cli/workflow-commands.ts';

const program = new Command('cairn').description('Durable workflows on AWS Lambda, DynamoDB and SQS');
addInitCommand(program);
addDevCommand(program);
addWorkflowCommands(program);
addScheduleCommands(program);
addDlqCommands(program);
addUiCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 1;
});
