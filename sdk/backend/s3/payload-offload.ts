import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PayloadTooLargeError } from '../../common/errors.ts';
import type { Payload } from '../../common/payload.ts';
import { mapPayloads } from '../../common/payload-codec.ts';

/** Encoding of a payload that history keeps in place of one stored in the payload bucket. */
export const S3_REF_ENCODING = 'cairn/s3-ref';

/** Requests made to the bucket, for cost accounting. */
export interface S3Usage {
  s3Puts: number;
  s3Gets: number;
}

export interface PayloadOffloadOptions {
  s3: S3Client;
  bucket: string;
  /** Payloads whose data is larger than this many bytes go to the bucket. */
  offloadBytes: number;
  /** Payloads whose data is larger than this many bytes are refused. */
  hardCapBytes: number;
  usage: S3Usage;
}

/** Resolved payloads kept in memory; objects are content-addressed and never change, so caching is safe. */
const CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Moves large payloads out of history into S3 and back (DESIGN.md, "Data and limits"). Object keys
 * are content-addressed under the namespace and run (`payloads/<ns>/<runId>/<sha256>`), so a retried
 * write puts the same object again and the same payload in an event and in the run state share one.
 */
export class PayloadOffloader {
  private readonly cache = new Map<string, Payload>();
  private cachedBytes = 0;

  constructor(private readonly options: PayloadOffloadOptions) {}

  /** Throws `PayloadTooLargeError` if any payload anywhere in `value` exceeds the hard cap. */
  async assertWithinCap(value: unknown): Promise<void> {
    await mapPayloads(value, async (payloads) => {
      for (const payload of payloads) {
        const bytes = Buffer.byteLength(payload.data);
        if (bytes > this.options.hardCapBytes) {
          throw new PayloadTooLargeError(
            `A payload of ${bytes} bytes exceeds the hard cap of ${this.options.hardCapBytes} bytes. ` +
              'Store large data elsewhere (e.g. in S3) and pass a reference to it instead.',
          );
        }
      }
      return payloads;
    });
  }

  /**
   * A copy of `value` with every payload above the threshold (by default `offloadBytes`) stored in S3
   * and replaced by a reference.
   * An object this process already stored or read is not put again: run state carries its memo into
   * every append, and re-putting it each time would cost a request per step.
   */
  async offload<T>(
    value: T,
    namespace: string,
    runId: string,
    thresholdBytes = this.options.offloadBytes,
  ): Promise<T> {
    const puts = new Map<string, Promise<void>>();
    return mapPayloads(value, (payloads) =>
      Promise.all(
        payloads.map(async (payload) => {
          const bytes = Buffer.byteLength(payload.data);
          if (bytes <= thresholdBytes || payload.metadata.encoding === S3_REF_ENCODING) return payload;
          const body = JSON.stringify(payload);
          const hash = createHash('sha256').update(body).digest('hex');
          const key = `payloads/${encodeURIComponent(namespace)}/${runId}/${hash}`;
          if (!this.cache.has(key) && !puts.has(key)) puts.set(key, this.put(key, body, payload));
          await puts.get(key);
          const ref: Payload = { metadata: { encoding: S3_REF_ENCODING, size: String(bytes) }, data: key };
          return ref;
        }),
      ),
    );
  }

  private async put(key: string, body: string, payload: Payload): Promise<void> {
    await this.options.s3.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
      }),
    );
    this.options.usage.s3Puts++;
    this.remember(key, payload);
  }

  /** A copy of `value` with every reference replaced by the payload it names. */
  async resolve<T>(value: T): Promise<T> {
    return mapPayloads(value, async (payloads) => {
      if (!payloads.some((payload) => payload.metadata.encoding === S3_REF_ENCODING)) return payloads;
      const loading = new Map<string, Promise<Payload>>();
      const load = (key: string) => {
        let promise = loading.get(key);
        if (!promise) loading.set(key, (promise = this.fetch(key)));
        return promise;
      };
      return Promise.all(
        payloads.map((payload) =>
          payload.metadata.encoding === S3_REF_ENCODING ? load(payload.data) : payload,
        ),
      );
    });
  }

  private async fetch(key: string): Promise<Payload> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const object = await this.options.s3.send(
      new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
    );
    this.options.usage.s3Gets++;
    const text = await object.Body?.transformToString();
    const payload = text ? (JSON.parse(text) as Payload) : undefined;
    if (!payload || typeof payload.data !== 'string' || typeof payload.metadata?.encoding !== 'string') {
      throw new Error(`Offloaded payload s3://${this.options.bucket}/${key} is missing or malformed`);
    }
    this.remember(key, payload);
    return payload;
  }

  private remember(key: string, payload: Payload): void {
    if (this.cache.has(key)) return;
    this.cache.set(key, payload);
    this.cachedBytes += payload.data.length;
    for (const [oldest, old] of this.cache) {
      if (this.cachedBytes <= CACHE_BYTES) break;
      this.cache.delete(oldest);
      this.cachedBytes -= old.data.length;
    }
  }
}
