import { HistoryConflictError, ScheduleAlreadyRunning } from '../../common/errors.ts';
import type { ScheduleRecord } from '../../engine/schedule-record.ts';
import type { ScheduleRecordPage, ScheduleStore } from '../ports.ts';

/** Schedules in memory (the time-skipping environment). Records are copied in and out, as a table would. */
export class MemoryScheduleStore implements ScheduleStore {
  private readonly records = new Map<string, ScheduleRecord>();

  private key(namespace: string, scheduleId: string) {
    return `${namespace}/${scheduleId}`;
  }

  async getSchedule(namespace: string, scheduleId: string): Promise<ScheduleRecord | undefined> {
    const record = this.records.get(this.key(namespace, scheduleId));
    return record && structuredClone(record);
  }

  async putSchedule(record: ScheduleRecord, expectedVersion?: number): Promise<ScheduleRecord> {
    const key = this.key(record.namespace, record.scheduleId);
    const stored = this.records.get(key);
    if (expectedVersion === undefined && stored)
      throw new ScheduleAlreadyRunning(`Schedule ${record.scheduleId} already exists`, record.scheduleId);
    if (expectedVersion !== undefined && stored?.version !== expectedVersion)
      throw new HistoryConflictError(`Schedule ${record.scheduleId} changed concurrently`);
    const written = { ...structuredClone(record), version: (expectedVersion ?? 0) + 1 };
    this.records.set(key, written);
    return structuredClone(written);
  }

  async deleteSchedule(namespace: string, scheduleId: string): Promise<boolean> {
    return this.records.delete(this.key(namespace, scheduleId));
  }

  async listSchedules(namespace: string, pageSize: number, pageToken?: string): Promise<ScheduleRecordPage> {
    const all = [...this.records.values()]
      .filter((record) => record.namespace === namespace)
      .sort((a, b) => (a.scheduleId < b.scheduleId ? -1 : 1))
      .filter((record) => pageToken === undefined || record.scheduleId > pageToken);
    const page = all.slice(0, pageSize);
    return {
      schedules: page.map((record) => structuredClone(record)),
      nextPageToken: all.length > pageSize ? page.at(-1)?.scheduleId : undefined,
    };
  }
}
