#!/usr/bin/env -S npx tsx
import { Command } from 'commander';
import { exampleWorkers } from '../examples/workers.ts';
import { startLocalStack } from '../local/stack.ts';
import { runDemo } from './cli/demo.ts';
import { addWorkflowCommands } from './cli/workflow-commands.ts';

const program = new Command('cairn').description('Durable workflows on AWS Lambda, DynamoDB and SQS');

program
  .command('demo')
  .description(
    "run the seed's example workflows end to end on the local AWS stack and show results and histories",
  )
  .option('--in-memory', 'run on the in-memory engine with time skipping instead')
  .action(async (flags: { inMemory?: boolean }) => {
    await runDemo(flags);
  });

program
  .command('dev')
  .description('start the embedded AWS stack with the example workers and serve the HTTP API on 127.0.0.1')
  .option('-p, --port <port>', 'port of the HTTP API', '4680')
  .action(async (flags: { port: string }) => {
    const stack = await startLocalStack({
      workers: exampleWorkers(),
      port: Number(flags.port),
      logLevel: 'info',
    });
    console.log(`Cairn is running. HTTP API: ${stack.endpoint} (OpenAPI: ${stack.endpoint}/v1/openapi.json)`);
    console.log(
      `Try: npx cairn workflow execute -t loanApplication -q loans -w loan-1 -a '[{"applicationId":"1","applicant":{"name":"ada","ssn":"123-45-6789","email":"a@x"},"amount":100}]'`,
    );
    console.log('Ctrl-C stops it.');
    const stop = async () => {
      await stack.stop();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

addWorkflowCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 1;
});
