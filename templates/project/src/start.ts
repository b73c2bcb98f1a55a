// Starts a greeting on a running engine and prints its result:
//   npm run build && npm run start-greeting -- ada
// CAIRN_ENDPOINT picks the engine (default: cairn dev on 127.0.0.1:4680).
import { Client } from 'cairnflow/client';
import { greeting } from './workflows.js';

const name = process.argv[2] ?? 'world';
const client = new Client({ endpoint: process.env.CAIRN_ENDPOINT ?? 'http://127.0.0.1:4680' });
const result = await client.workflow.execute(greeting, {
  taskQueue: 'greetings',
  workflowId: `greeting-${name}-${Date.now()}`,
  args: [name, '1 second'],
});
console.log(result);
