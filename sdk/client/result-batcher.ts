import { MAX_RESULTS_PER_REQUEST } from '../common/wire/limits.ts';
import type { RunOutcome } from '../common/wire/outcome.ts';
import type { ResultsEntry } from '../common/wire/results.ts';

/** One run's poll, as the batcher takes it. */
export interface ResultPoll {
  workflowId: string;
  runId?: string;
  reportedFailureTime?: number;
}

/** Sends one batch of polls of a namespace; rejects if the request as a whole failed. */
export type SendResults = (namespace: string, runs: ResultPoll[]) => Promise<ResultsEntry[]>;

interface Waiting {
  namespace: string;
  poll: ResultPoll;
  resolve(entry: ResultsEntry): void;
  reject(error: unknown): void;
}

/**
 * Coalesces the `result()` polls of all the runs one client awaits into batch requests
 * (`POST …/workflow-results`), at most {@link MAX_RESULTS_PER_REQUEST} runs each and
 * `maxInFlight` requests at a time. A poll goes out at once while a request slot is free, so a
 * lone wait costs no latency; polls that come while every slot is busy wait for the next one and
 * share it. A burst of ten thousand waiting handles so costs a few requests a second, not
 * thousands.
 */
export class ResultBatcher {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly send: SendResults,
    private readonly maxInFlight = 4,
  ) {}

  poll(namespace: string, poll: ResultPoll): Promise<ResultsEntry> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ namespace, poll, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length) {
      const namespace = this.waiting[0]!.namespace;
      const batch: Waiting[] = [];
      // One pass: the batch's waiters taken out, the rest kept in order (no splice per waiter).
      let kept = 0;
      for (const w of this.waiting) {
        if (w.namespace === namespace && batch.length < MAX_RESULTS_PER_REQUEST) batch.push(w);
        else this.waiting[kept++] = w;
      }
      this.waiting.length = kept;
      this.inFlight++;
      this.send(
        namespace,
        batch.map((w) => w.poll),
      )
        .then(
          (entries) => {
            for (const [i, w] of batch.entries()) {
              const entry = entries[i];
              if (entry) w.resolve(entry);
              else w.reject(new Error(`The results answer had no entry for run ${i} of ${batch.length}`));
            }
          },
          (error: unknown) => {
            for (const w of batch) w.reject(error);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

/** The outcome an entry carries; its error, rebuilt by `toError`, is thrown. */
export function outcomeOf(
  entry: ResultsEntry,
  toError: (status: number, body: unknown) => Error,
): RunOutcome {
  if ('outcome' in entry) return entry.outcome;
  throw toError(entry.status, { error: entry.error });
}
