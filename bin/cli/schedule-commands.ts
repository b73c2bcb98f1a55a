import type { ScheduleOverlapPolicy, ScheduleSpec } from 'cairnflow/client';
import type { Command } from 'commander';
import { clientFor, parseJson, print, reporting, withEndpointOptions } from './workflow-commands.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function date(text: string | undefined, flag: string): Date | undefined {
  if (text === undefined) return undefined;
  const value = new Date(text);
  if (Number.isNaN(value.getTime()))
    throw new Error(`${flag} must be an ISO-8601 time, e.g. 2026-01-05T09:00:00Z: got ${text}`);
  return value;
}

function count(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${flag} must be a whole number ≥ 0: got ${text}`);
  return value;
}

/** `--interval 1h` or `--interval 1h/15m` (every / offset), Temporal CLI's form. */
function intervals(list: string[] | undefined): ScheduleSpec['intervals'] {
  return list?.map((text) => {
    const [every, offset] = text.split('/');
    return { every: every!, offset };
  });
}

interface CreateFlags {
  scheduleId: string;
  cron?: string[];
  interval?: string[];
  timezone?: string;
  startAt?: string;
  endAt?: string;
  jitter?: string;
  type: string;
  taskQueue: string;
  workflowId?: string;
  args?: string;
  overlap?: ScheduleOverlapPolicy;
  catchupWindow?: string;
  pauseOnFailure?: boolean;
  paused?: boolean;
  note?: string;
  remainingActions?: string;
}

/** Adds `cairn schedule create|list|describe|pause|unpause|trigger|backfill|delete`. */
export function addScheduleCommands(program: Command): void {
  const schedule = withEndpointOptions(
    program.command('schedule').description('start workflows on a calendar: create and manage schedules'),
  );
  const client = () => clientFor(schedule);
  const idOption = (cmd: Command) => cmd.requiredOption('-s, --schedule-id <id>', 'schedule id');

  idOption(schedule.command('create').description('create a schedule'))
    .option('--cron <expression>', "cron expression, e.g. '*/5 * * * *' (repeatable)", collect)
    .option('--interval <every[/offset]>', "interval, e.g. '1h' or '1h/15m' (repeatable)", collect)
    .option('--timezone <zone>', 'IANA time zone of cron expressions, e.g. Europe/Berlin')
    .option('--start-at <time>', 'no action before this ISO-8601 time')
    .option('--end-at <time>', 'no action after this ISO-8601 time')
    .option('--jitter <duration>', 'delay each action by up to this much')
    .requiredOption('-t, --type <workflowType>', 'workflow type to start')
    .requiredOption('-q, --task-queue <taskQueue>', 'task queue')
    .option(
      '-w, --workflow-id <prefix>',
      "workflow id prefix; the scheduled time is appended (default '<schedule id>-workflow')",
    )
    .option('-a, --args <json>', 'workflow arguments as a JSON array')
    .option('--overlap <policy>', 'SKIP, BUFFER_ONE, BUFFER_ALL, CANCEL_OTHER, TERMINATE_OTHER or ALLOW_ALL')
    .option(
      '--catchup-window <duration>',
      "how late an action may still be taken after an outage (default '1 year')",
    )
    .option('--pause-on-failure', 'pause the schedule when a run it started fails')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'note on the state')
    .option('--remaining-actions <n>', 'take only this many scheduled actions')
    .action(
      reporting(async (flags: CreateFlags) => {
        await client().schedule.create({
          scheduleId: flags.scheduleId,
          spec: {
            cronExpressions: flags.cron,
            intervals: intervals(flags.interval),
            timezone: flags.timezone,
            startAt: date(flags.startAt, '--start-at'),
            endAt: date(flags.endAt, '--end-at'),
            jitter: flags.jitter,
          },
          action: {
            type: 'startWorkflow',
            workflowType: flags.type,
            taskQueue: flags.taskQueue,
            workflowId: flags.workflowId,
            args: parseJson(flags.args, '--args'),
          },
          policies: {
            overlap: flags.overlap,
            catchupWindow: flags.catchupWindow,
            pauseOnFailure: flags.pauseOnFailure,
          },
          state: {
            paused: flags.paused,
            note: flags.note,
            remainingActions: count(flags.remainingActions, '--remaining-actions'),
          },
        });
        print(`Created schedule ${flags.scheduleId}`);
      }),
    );

  schedule
    .command('list')
    .description("list the namespace's schedules: id, workflow type, paused, next action time")
    .action(
      reporting(async () => {
        for await (const s of client().schedule.list()) {
          const next = s.info.nextActionTimes[0]?.toISOString() ?? '-';
          print(
            `${s.scheduleId}\t${s.action.workflowType}\t${s.state.paused ? 'paused' : 'active'}\t${next}`,
          );
        }
      }),
    );

  idOption(schedule.command('describe').description('describe a schedule as JSON')).action(
    reporting(async (flags: { scheduleId: string }) =>
      print(await client().schedule.getHandle(flags.scheduleId).describe()),
    ),
  );

  idOption(schedule.command('pause').description('pause a schedule'))
    .option('--note <text>', 'why')
    .action(
      reporting(async (flags: { scheduleId: string; note?: string }) => {
        await client().schedule.getHandle(flags.scheduleId).pause(flags.note);
        print(`Paused schedule ${flags.scheduleId}`);
      }),
    );

  idOption(schedule.command('unpause').description('unpause a schedule'))
    .option('--note <text>', 'why')
    .action(
      reporting(async (flags: { scheduleId: string; note?: string }) => {
        await client().schedule.getHandle(flags.scheduleId).unpause(flags.note);
        print(`Unpaused schedule ${flags.scheduleId}`);
      }),
    );

  idOption(schedule.command('trigger').description("take the schedule's action now"))
    .option('--overlap <policy>', "overlap policy for this action (default: the schedule's)")
    .action(
      reporting(async (flags: { scheduleId: string; overlap?: ScheduleOverlapPolicy }) => {
        await client().schedule.getHandle(flags.scheduleId).trigger(flags.overlap);
        print(`Triggered schedule ${flags.scheduleId}`);
      }),
    );

  idOption(
    schedule.command('backfill').description('take every action the spec calls for in a past time range'),
  )
    .requiredOption('--start <time>', 'range start (exclusive), ISO-8601')
    .requiredOption('--end <time>', 'range end (inclusive), ISO-8601')
    .option('--overlap <policy>', "overlap policy for these actions (default: the schedule's)")
    .action(
      reporting(
        async (flags: {
          scheduleId: string;
          start: string;
          end: string;
          overlap?: ScheduleOverlapPolicy;
        }) => {
          await client()
            .schedule.getHandle(flags.scheduleId)
            .backfill({
              start: date(flags.start, '--start')!,
              end: date(flags.end, '--end')!,
              overlap: flags.overlap,
            });
          print(`Backfilled schedule ${flags.scheduleId}`);
        },
      ),
    );

  idOption(
    schedule.command('delete').description('delete a schedule (the workflows it started run on)'),
  ).action(
    reporting(async (flags: { scheduleId: string }) => {
      await client().schedule.getHandle(flags.scheduleId).delete();
      print(`Deleted schedule ${flags.scheduleId}`);
    }),
  );
}
