// The due-time index writes an item once per process: many runs park one shared task (the renewal
// sweep of a day's starts), and each would otherwise cost a write.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { DispatchItem } from '../../sdk/backend/ports.ts';
import { DueIndex } from '../../sdk/backend/sqs/due-index.ts';

type Item = Record<string, { S?: string }>;

/**
 * A client that records the parked tasks put (and, apart, the namespace names the sweeper's list
 * gets), and fails the puts while `failing` says so.
 */
function recordingClient(failing = () => false) {
  const puts: Item[] = [];
  const names: Item[] = [];
  const client = {
    send: async (command: { input: { Item?: Item } }) => {
      if (failing()) throw new Error('throttled');
      const item = command.input.Item!;
      (item.task ? puts : names).push(item);
      return {};
    },
  } as unknown as DynamoDBClient;
  return { client, puts, names };
}

const sweep = (startedFrom: number): DispatchItem => ({
  task: {
    kind: 'system',
    ref: { namespace: 'default', workflowId: 'retention-renewal', runId: `started-${startedFrom}` },
    op: { type: 'renewOpenRuns', startedFrom, startedBefore: startedFrom + 86_400_000 },
  },
  dueTime: startedFrom + 76 * 86_400_000,
});

describe('parking tasks in the due-time index', () => {
  it('writes a task parked again by the same process once', async () => {
    const { client, puts, names } = recordingClient();
    const index = new DueIndex(client, 'executions');
    for (let i = 0; i < 5; i++) await index.park(sweep(0));
    expect(puts).toHaveLength(1);
    // Under the namespace's own keys, and its name on the sweeper's list once.
    expect(puts[0]!.pk!.S).toMatch(/^default#due#[0-7]$/);
    expect(names).toEqual([{ pk: { S: 'due#namespaces' }, sk: { S: 'default' } }]);
  });

  it('writes every different task, and the same task due at another time', async () => {
    const { client, puts } = recordingClient();
    const index = new DueIndex(client, 'executions');
    await index.park(sweep(0));
    await index.park(sweep(86_400_000));
    await index.park({ ...sweep(0), dueTime: sweep(0).dueTime! + 1 });
    expect(puts).toHaveLength(3);
  });

  it('writes a task again after a write of it failed', async () => {
    let fail = true;
    const { client, puts } = recordingClient(() => fail);
    const index = new DueIndex(client, 'executions');
    await expect(index.park(sweep(0))).rejects.toThrow('throttled');
    fail = false;
    await index.park(sweep(0));
    expect(puts).toHaveLength(1);
  });
});
