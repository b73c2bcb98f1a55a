import type { LocalStack } from '../../local/stack.ts';
import { historyPk } from '../../sdk/backend/dynamodb/keys.ts';
import { nowMs } from '../measure.ts';

/**
 * Learns when runs close without asking the engine: it watches the runtime's DynamoDB client (every
 * handler of the local stack shares it) and notes every committed batch item whose status is no
 * longer Running, when DynamoDB answers the put. Waiting for a close this way costs no DynamoDB
 * read, no API invocation and no API concurrency slot, so it neither inflates the per-step counts
 * nor throttles the throughput run (the local host allows 8 concurrent API invocations, and a
 * result long poll holds one for as long as it waits). The router cannot tell: a close with
 * nothing to notify never reaches it (its batch is marked quiet for the router's stream mapping).
 */
export class CloseWatcher {
  private readonly closedAt = new Map<string, number>();
  private readonly waiting = new Map<string, () => void>();

  constructor(
    stack: LocalStack,
    private readonly namespace: string,
  ) {
    stack.runtime.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (context.commandName === 'PutItemCommand') {
          const item = (args.input as { Item?: Record<string, { S?: string }> }).Item;
          const pk = item?.pk?.S;
          const status = item?.status?.S;
          if (item?.kind?.S === 'batch' && pk && status && status !== 'Running') {
            if (!this.closedAt.has(pk)) this.closedAt.set(pk, nowMs());
            this.waiting.get(pk)?.();
          }
        }
        return output;
      },
      { step: 'initialize', name: 'benchCloseWatcher' },
    );
  }

  /** Resolves with the time (`nowMs`) the run's close was committed; rejects after `timeoutMs`. */
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
