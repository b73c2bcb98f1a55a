import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { LocalStack } from '../../local/stack.ts';
import { historyPk } from '../../sdk/backend/dynamodb/keys.ts';
import { nowMs } from '../measure.ts';

/**
 * Learns when runs close without asking the engine: it watches the history stream on its way into
 * the router (each committed batch item carries the run's status after it) and notes every run
 * whose status is no longer Running. Waiting for a close this way costs no DynamoDB read, no API
 * invocation and no API concurrency slot, so it neither inflates the per-step counts nor throttles
 * the throughput run (the local host allows 8 concurrent API invocations, and a result long poll
 * holds one for as long as it waits). The close is seen one stream hop after its commit.
 */
export class CloseWatcher {
  private readonly closedAt = new Map<string, number>();
  private readonly waiting = new Map<string, () => void>();

  constructor(
    stack: LocalStack,
    private readonly namespace: string,
  ) {
    const router = [...stack.functions.values()].find((fn) => fn.name.endsWith('-router'));
    if (!router) throw new Error('The local stack has no router function');
    router.intercept((handler) => async (event, context) => {
      for (const record of (event as DynamoDBStreamEvent).Records ?? []) {
        const image = record.dynamodb?.NewImage;
        const status = image?.status?.S;
        const pk = image?.pk?.S;
        if (image?.kind?.S !== 'batch' || !pk || !status || status === 'Running') continue;
        if (!this.closedAt.has(pk)) this.closedAt.set(pk, nowMs());
        this.waiting.get(pk)?.();
      }
      return handler(event, context);
    });
  }

  /** Resolves with the time (`nowMs`) the run's close reached the router; rejects after `timeoutMs`. */
  async waitForClose(runId: string, timeoutMs: number): Promise<number> {
    const pk = historyPk(this.namespace, runId);
    const known = this.closedAt.get(pk);
    if (known !== undefined) return known;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiting.set(pk, resolve);
        timer = setTimeout(
          () => reject(new Error(`Run ${runId} did not close within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
    } finally {
      clearTimeout(timer);
      this.waiting.delete(pk);
    }
    return this.closedAt.get(pk)!;
  }
}
