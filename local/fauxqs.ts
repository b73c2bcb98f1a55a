import { buildApp } from 'fauxqs';

/** A running fauxqs: SQS and S3 on one endpoint. */
export interface Fauxqs {
  /** `http://127.0.0.1:<port>`, for SQS and S3 clients' `endpoint` (S3 with `forcePathStyle: true`). */
  endpoint: string;
  /** Closes the server and its open connections. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the `fauxqs` SQS + S3 emulator in this process on a free loopback port. We build the app
 * and listen ourselves because `startFauxqs()` always binds 0.0.0.0.
 *
 * @example
 * const emulator = await startFauxqs();
 * const s3 = new S3Client({ endpoint: emulator.endpoint, forcePathStyle: true, region: 'us-east-1', credentials });
 * await emulator.stop();
 */
export async function startFauxqs(): Promise<Fauxqs> {
  const app = buildApp({ logger: false });
  const endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    stop: () => (stopped ??= app.close().then(() => undefined)),
  };
}
