// `cairn workflow update`: sends an update to a running workflow and prints what its handler
// returned; an update the workflow refuses (no handler by that name, or its validator says no)
// is a clear error on stderr and exit code 1. The CLI runs as its own process against a local
// stack started by this file, hosting the shopping cart of the update tests.
import type { TestWorkflowEnvironment } from 'cairnflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from '../integration/temporal-style/update-activities.ts';
import { shoppingCart } from '../integration/temporal-style/update-workflows.ts';
import { runRepoCairn } from '../support/dev-process.ts';
import { localEnv } from '../support/local-env.ts';

let env: TestWorkflowEnvironment;

/** Runs `cairn workflow <args>` against the stack. */
const cairn = (...args: string[]) => runRepoCairn(['workflow', '--endpoint', env.endpoint, ...args]);

beforeAll(async () => {
  env = await localEnv({ workers: [{ taskQueue: 'carts', workflows: { shoppingCart }, activities }] });
}, 60_000);

/** A running, empty shopping cart of its own for a test. */
async function newCart(workflowId: string): Promise<string> {
  await env.client.workflow.start(shoppingCart, { taskQueue: 'carts', workflowId });
  return workflowId;
}

afterAll(async () => {
  await env?.teardown();
});

describe('cairn workflow update', () => {
  it("prints the update handler's result, and the workflow state shows the update", async () => {
    const cart = await newCart('cli-cart');
    const first = await cairn('update', cart, 'addItem', '-a', '["apple"]');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    // priceItem prices an item by its name's length: the cart's total after the update.
    expect(JSON.parse(first.stdout)).toBe(5);
    const second = await cairn('update', cart, 'addItem', '-a', '["fig"]');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toBe(8);
    expect(JSON.parse((await cairn('query', cart, 'items')).stdout)).toEqual(['apple', 'fig']);
  }, 90_000);

  it('fails clearly, with exit code 1, on an update name the workflow has no handler for', async () => {
    const cart = await newCart('cli-cart-misspelled');
    const { stdout, stderr, code } = await cairn('update', cart, 'addItme', '-a', '["pear"]');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      "WorkflowUpdateFailedError: Update 'addItme' failed: No update handler for 'addItme'",
      "  caused by ApplicationFailure (UnknownUpdate): No update handler for 'addItme'",
    ]);
  }, 60_000);

  it("fails clearly, with exit code 1, when the update's validator rejects it", async () => {
    const cart = await newCart('cli-cart-invalid');
    const { stdout, stderr, code } = await cairn('update', cart, 'addItem', '-a', '[""]');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      "WorkflowUpdateFailedError: Update 'addItem' failed: an item needs a name",
      '  caused by ApplicationFailure (Error): an item needs a name',
    ]);
    // The rejected update left the cart as it was.
    expect(JSON.parse((await cairn('query', cart, 'items')).stdout)).toEqual([]);
  }, 60_000);

  it('fails clearly, with exit code 1, on a workflow id that does not exist', async () => {
    const { stdout, stderr, code } = await cairn('update', 'no-such-cart', 'addItem', '-a', '["pear"]');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^WorkflowNotFoundError: Workflow 'no-such-cart' not found/);
  }, 60_000);
});
