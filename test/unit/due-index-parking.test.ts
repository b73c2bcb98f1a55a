// The due-time index writes an item once per process: many runs park one shared task (the renewal
// sweep of a day's starts), and each would otherwise cost a write.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { DispatchItem } from '../../sdk/backend/ports.ts';
import { DueIndex } from '../../sdk/backend/sqs/due-index.ts';

/** A client that records the items put, and fails the puts while `failing` says so. */
function recordingClient(failing = () => false) {
  const puts: unknown[] = [];
  const client = {
    send: async (command: { input: { Item?: unknown } }) => {
      if (failing()) throw new Error('throttled');
      puts.push(command.input.Item);
      return {};
    },
  } as unknown as DynamoDBClient;
  return { client, puts };
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
    const { client, puts } = recordingClient();
    const index = new DueIndex(client, 'executions');
    for (let i = 0; i < 5; i++) await index.park(sweep(0));
    expect(puts).toHaveLength(1);
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
