#!/usr/bin/env -S npx tsx
import { Command } from 'commander';
import { runDemo } from './cli/demo.ts';

const program = new Command('cairn').description('Durable workflows on AWS Lambda, DynamoDB and SQS');

program
  .command('demo')
  .description("run the seed's example workflows end to end and show their results and histories")
  .action(async () => {
    await runDemo();
  });

await program.parseAsync(process.argv);
