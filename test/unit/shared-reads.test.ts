import { describe, expect, it } from 'vitest';
import { SharedReads } from '../../sdk/backend/dynamodb/shared-reads.ts';

/** A read whose answer is the store's value when it is sent, and which ends when told to. */
function store() {
  let value = 0;
  const sent: { at: number; finish: () => void }[] = [];
  return {
    set: (v: number) => {
      value = v;
    },
    sent,
    load: () =>
      new Promise<number>((resolve) => {
        const at = value;
        sent.push({ at, finish: () => resolve(at) });
      }),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('SharedReads', () => {
  it('serves callers that come while a read is in flight with one read sent after they asked', async () => {
    // GIVEN a read in flight
    const reads = new SharedReads<number>();
    const db = store();
    const first = reads.read('run', db.load);
    // WHEN the value changes and three more callers ask before it ends
    db.set(1);
    const later = [reads.read('run', db.load), reads.read('run', db.load), reads.read('run', db.load)];
    await tick();
    expect(db.sent).toHaveLength(1);
    db.sent[0]!.finish();
    await tick();
    // THEN one more read is sent for all three, and it sees the change the first read could not
    expect(db.sent).toHaveLength(2);
    db.sent[1]!.finish();
    expect(await first).toBe(0);
    expect(await Promise.all(later)).toEqual([1, 1, 1]);
  });

  it('starts afresh once nothing is in flight, and keeps keys apart', async () => {
    const reads = new SharedReads<number>();
    const db = store();
    const a = reads.read('a', db.load);
    const b = reads.read('b', db.load);
    await tick();
    expect(db.sent).toHaveLength(2);
    for (const read of db.sent) read.finish();
    expect([await a, await b]).toEqual([0, 0]);
    db.set(2);
    const again = reads.read('a', db.load);
    await tick();
    expect(db.sent).toHaveLength(3);
    db.sent[2]!.finish();
    expect(await again).toBe(2);
  });

  it('gives a failed read to its callers only, and the queued read still runs', async () => {
    const reads = new SharedReads<number>();
    let calls = 0;
    const failing = reads.read('run', async () => {
      calls++;
      await tick();
      throw new Error('throttled');
    });
    const queued = reads.read('run', async () => {
      calls++;
      return 7;
    });
    await expect(failing).rejects.toThrow('throttled');
    expect(await queued).toBe(7);
    expect(calls).toBe(2);
  });
});

describe('SharedReads in scopes', () => {
  it('shares a read only within the scope it was asked in', async () => {
    // GIVEN two scopes (two local invocations), each with a read in flight
    let scope: object = { invocation: 1 };
    const reads = new SharedReads<number>(() => scope);
    const db = store();
    const first = reads.read('run', db.load);
    scope = { invocation: 2 };
    // WHEN the other scope asks for the same key
    const other = reads.read('run', db.load);
    await tick();
    // THEN it sends its own read instead of waiting behind the first scope's
    expect(db.sent).toHaveLength(2);
    for (const read of db.sent) read.finish();
    expect([await first, await other]).toEqual([0, 0]);
  });
});
