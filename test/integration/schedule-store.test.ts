import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResources, type LocalResources } from '../../local/create-resources.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { type Fauxqs, startFauxqs } from '../../local/fauxqs.ts';
import { DynamoScheduleStore, scanSchedules } from '../../sdk/backend/dynamodb/schedule-store.ts';
import { MemoryScheduleStore } from '../../sdk/backend/memory/schedule-store.ts';
import { scheduleRecord, scheduleStoreConformance } from './schedule-store.conformance.ts';

let counter = 0;
const namespace = () => `ns${++counter}-${Date.now()}`;

describe('MemoryScheduleStore', () => {
  const store = new MemoryScheduleStore();
  scheduleStoreConformance(() => store, namespace);
});

describe('DynamoScheduleStore on DynamoDB Local', () => {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  let local: DynamoDbLocal | undefined;
  let fauxqs: Fauxqs | undefined;
  let dynamodb: DynamoDBClient;
  let resources: LocalResources;
  let store: DynamoScheduleStore;

  beforeAll(async () => {
    local = await startDynamoDbLocal();
    dynamodb = new DynamoDBClient({ endpoint: local.endpoint, region: 'us-east-1', credentials });
    fauxqs = await startFauxqs();
    const s3 = new S3Client({
      endpoint: fauxqs.endpoint,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
    });
    resources = await createResources({ dynamodb, s3 }, 'cairn-sched-test');
    store = new DynamoScheduleStore({ dynamodb, executionsTable: resources.executionsTable });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([local?.stop(), fauxqs?.stop()]);
  });

  scheduleStoreConformance(() => store, namespace);

  it('finds every namespace’s schedules by a scan (the embedded stack resends their ticks at start)', async () => {
    const [a, b] = [namespace(), namespace()];
    await store.putSchedule(scheduleRecord(a, 'one'));
    await store.putSchedule(scheduleRecord(b, 'two'));
    const found = [];
    for await (const record of scanSchedules({ dynamodb, executionsTable: resources.executionsTable }))
      if (record.namespace === a || record.namespace === b)
        found.push(`${record.namespace}/${record.scheduleId}`);
    expect(found.sort()).toEqual([`${a}/one`, `${b}/two`].sort());
  });
});
