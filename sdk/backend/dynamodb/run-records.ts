import type { PayloadOffloader } from '../s3/payload-offload.ts';
import { ttlValue } from './batch-writer.ts';
import type { Item, MeteredDynamo } from './metered-client.ts';

/**
 * A run's side records on the executions table (heartbeats, the workflow-task failure): not
 * history, one item each, replaced in place. Each expires a horizon after it is written
 * (`retention.ts`), later than any history item written before it, and the run's expiry passes
 * cover their partition, so a side record never outlives nor undercuts its run's retention.
 */
export class RunRecords {
  constructor(
    private readonly db: MeteredDynamo,
    private readonly table: string,
    private readonly payloads: PayloadOffloader,
    /** The expiry (epoch ms) of a record written at a time. */
    private readonly expiry: (writeTime: number) => number,
  ) {}

  async put(key: Item, namespace: string, runId: string, record: object | null, writeTime: number) {
    if (record === null) {
      await this.db.deleteItem({ TableName: this.table, Key: key });
      return;
    }
    await this.payloads.assertWithinCap(record);
    const stored = await this.payloads.offload(record, namespace, runId);
    await this.db.putItem({
      TableName: this.table,
      Item: { ...key, record: { S: JSON.stringify(stored) }, ...ttlValue(this.expiry(writeTime)) },
    });
  }

  async get<T>(key: Item): Promise<T | undefined> {
    const item = await this.db.getItem({ TableName: this.table, Key: key });
    return item?.record?.S ? this.payloads.resolve(JSON.parse(item.record.S) as T) : undefined;
  }
}
