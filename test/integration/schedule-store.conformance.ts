import { expect, it } from 'vitest';
import type { ScheduleStore } from '../../sdk/backend/ports.ts';
import { HistoryConflictError, ScheduleAlreadyRunning } from '../../sdk/common/errors.ts';
import type { ScheduleRecord } from '../../sdk/engine/schedule-record.ts';

/** A schedule record as the service creates one. */
export function scheduleRecord(namespace: string, scheduleId: string): ScheduleRecord {
  return {
    namespace,
    scheduleId,
    version: 0,
    body: {
      spec: { intervals: [{ everyMs: 60_000 }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'tick',
        workflowId: scheduleId,
        taskQueue: 'q',
        input: [],
      },
      policies: { overlap: 'SKIP', catchupWindowMs: 60_000, pauseOnFailure: false },
      state: { paused: false, note: '' },
    },
    createdAt: 1,
    processedUntil: 1,
    buffer: [],
    running: [],
    recent: [],
    numActions: 0,
    numActionsMissedCatchupWindow: 0,
    numActionsSkippedOverlap: 0,
    wake: { token: 't0', at: 60_000 },
  };
}

/** What every ScheduleStore adapter must do; `namespace()` gives each test a namespace of its own. */
export function scheduleStoreConformance(store: () => ScheduleStore, namespace: () => string): void {
  it('creates a schedule once: a second create of the id is ScheduleAlreadyRunning', async () => {
    const ns = namespace();
    const written = await store().putSchedule(scheduleRecord(ns, 'a'));
    expect(written.version).toBe(1);
    expect(await store().getSchedule(ns, 'a')).toEqual(written);
    await expect(store().putSchedule(scheduleRecord(ns, 'a'))).rejects.toThrow(ScheduleAlreadyRunning);
    expect(await store().getSchedule(ns, 'missing')).toBeUndefined();
  });

  it('writes an update only on the version it read, so of two writers one loses', async () => {
    const ns = namespace();
    const first = await store().putSchedule(scheduleRecord(ns, 'b'));
    const updated = await store().putSchedule({ ...first, numActions: 1 }, first.version);
    expect(updated.version).toBe(2);
    await expect(store().putSchedule({ ...first, numActions: 9 }, first.version)).rejects.toThrow(
      HistoryConflictError,
    );
    expect((await store().getSchedule(ns, 'b'))?.numActions).toBe(1);
  });

  it('lists a namespace’s schedules by id, page by page, and deletes them', async () => {
    const ns = namespace();
    for (const id of ['c3', 'c1', 'c2']) await store().putSchedule(scheduleRecord(ns, id));
    await store().putSchedule(scheduleRecord(namespace(), 'elsewhere'));
    const first = await store().listSchedules(ns, 2);
    expect(first.schedules.map((s) => s.scheduleId)).toEqual(['c1', 'c2']);
    expect(first.nextPageToken).toBeDefined();
    const second = await store().listSchedules(ns, 2, first.nextPageToken);
    expect(second.schedules.map((s) => s.scheduleId)).toEqual(['c3']);
    expect(await store().deleteSchedule(ns, 'c2')).toBe(true);
    expect(await store().deleteSchedule(ns, 'c2')).toBe(false);
    const all = await store().listSchedules(ns, 10);
    expect(all.schedules.map((s) => s.scheduleId)).toEqual(['c1', 'c3']);
  });
}
