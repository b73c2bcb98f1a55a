import { describe, expect, it } from 'vitest';
import { DynamoScheduleStore, scanSchedules } from '../../sdk/backend/dynamodb/schedule-store.ts';
import { MemoryScheduleStore } from '../../sdk/backend/memory/schedule-store.ts';
import { dynamoFixture } from './dynamodb-store-fixture.ts';
import { scheduleRecord, scheduleStoreConformance } from './schedule-store.conformance.ts';

let counter = 0;
const namespace = () => `ns${++counter}-${Date.now()}`;

describe('MemoryScheduleStore', () => {
  const store = new MemoryScheduleStore();
  scheduleStoreConformance(() => store, namespace);
});

describe('DynamoScheduleStore on DynamoDB Local', () => {
  const fixture = dynamoFixture();
  const options = () => ({
    dynamodb: fixture.client(),
    executionsTable: fixture.resources().executionsTable,
  });
  let store: DynamoScheduleStore | undefined;
  const shared = () => {
    store ??= new DynamoScheduleStore(options());
    return store;
  };

  scheduleStoreConformance(shared, namespace);

  it('finds every namespace’s schedules by a scan (the embedded stack resends their ticks at start)', async () => {
    const [a, b] = [namespace(), namespace()];
    await shared().putSchedule(scheduleRecord(a, 'one'));
    await shared().putSchedule(scheduleRecord(b, 'two'));
    const found = [];
    for await (const record of scanSchedules(options()))
      if (record.namespace === a || record.namespace === b)
        found.push(`${record.namespace}/${record.scheduleId}`);
    expect(found.sort()).toEqual([`${a}/one`, `${b}/two`].sort());
  });
});
