import type { CairnFailure, FailureInfo } from '../common/failures.ts';
import { fromFailureInfo } from '../common/failures.ts';
import type { DataConverter, Payload, StoredPayloadConverter } from '../common/payload.ts';
import { CodecChain } from '../common/payload-codec.ts';
import { checkDataConverter, loadDataConverter, storedPayloadConverter } from '../common/stored-payload.ts';

/** Encodes and decodes payloads for one client: converter, then codecs. */
export class PayloadPipeline {
  readonly codec: CodecChain;
  /** The converter, once `payloadConverterPath` (if given) is loaded: on first use, as the constructor is synchronous. */
  private readonly loaded: Promise<StoredPayloadConverter> | StoredPayloadConverter;
  constructor(dataConverter: DataConverter | undefined) {
    if (dataConverter !== undefined) checkDataConverter(dataConverter);
    this.codec = new CodecChain(dataConverter?.payloadCodecs);
    this.loaded =
      dataConverter?.payloadConverterPath === undefined
        ? storedPayloadConverter(dataConverter?.payloadConverter)
        : loadDataConverter(dataConverter).then((loaded) => storedPayloadConverter(loaded?.payloadConverter));
    // A path that fails to load rejects every call that needs it, not the process.
    if (this.loaded instanceof Promise) this.loaded.catch(() => {});
  }
  async converter(): Promise<StoredPayloadConverter> {
    return this.loaded;
  }
  async encode(values: readonly unknown[]): Promise<Payload[]> {
    const converter = await this.loaded;
    return this.codec.encode(values.map((value) => converter.toPayload(value)));
  }
  async decode<T = unknown>(payload: Payload): Promise<T> {
    const converter = await this.loaded;
    return converter.fromPayload<T>((await this.codec.decode([payload]))[0]!);
  }
  async decodeFailure(info: FailureInfo): Promise<CairnFailure> {
    return fromFailureInfo(await this.codec.decode(info), await this.loaded);
  }
  async encodeMap(values: Record<string, unknown> | undefined): Promise<Record<string, Payload> | undefined> {
    if (!values) return undefined;
    const keys = Object.keys(values);
    const payloads = await this.encode(keys.map((key) => values[key]));
    return Object.fromEntries(keys.map((key, i) => [key, payloads[i]!]));
  }
  async decodeMap(values: Record<string, Payload>): Promise<Record<string, unknown>> {
    const entries = await Promise.all(
      Object.entries(values).map(async ([key, payload]) => [key, await this.decode(payload)]),
    );
    return Object.fromEntries(entries);
  }
}
