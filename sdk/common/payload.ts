import type { PayloadConverter, Payload as TemporalPayload } from './payload-converter.ts';

/**
 * A serialized value as it is stored in history: metadata (at least `encoding`) and data as text.
 * JSON payloads keep their JSON text; binary and encrypted payloads keep base64. Converters see
 * Temporal's shape instead (`Payload` of payload-converter.ts, bytes); stored-payload.ts turns one
 * into the other. Codecs work on this stored form.
 */
export interface StoredPayload {
  metadata: Record<string, string>;
  data: string;
}

/** Turns values into stored payloads and back: what the engine runs (a converter behind the adapter). */
export interface StoredPayloadConverter {
  toPayload(value: unknown): StoredPayload;
  fromPayload<T = unknown>(payload: StoredPayload): T;
}

// The engine's own name for the stored form (the public `Payload` of `cairnflow/common` is
// Temporal's, from payload-converter.ts).
export type Payload = StoredPayload;

/**
 * Transforms payloads on their way to and from history, outside workflow code (e.g. encryption),
 * on Temporal's payload shape (`metadata` values and `data` as `Uint8Array`), so a codec written
 * for `@temporalio/common` runs unchanged. `encode` runs on everything that reaches history;
 * `decode` undoes it. What a codec returns is stored as text: metadata values must be UTF-8, and
 * data is kept as base64 unless its encoding is `json/*`.
 */
export interface PayloadCodec {
  encode(payloads: TemporalPayload[]): Promise<TemporalPayload[]>;
  decode(payloads: TemporalPayload[]): Promise<TemporalPayload[]>;
}

/** A codec on the stored form, as the engine runs one (a `PayloadCodec` behind `storedPayloadCodec`). */
export interface StoredPayloadCodec {
  encode(payloads: StoredPayload[]): Promise<StoredPayload[]>;
  decode(payloads: StoredPayload[]): Promise<StoredPayload[]>;
}

/**
 * What a client, worker or test environment takes to shape payloads, as in Temporal: a converter
 * (or the path of a module exporting `payloadConverter`), then codecs.
 *
 * @example
 * const dataConverter = { payloadConverterPath: require.resolve('./payload-converter'), payloadCodecs: [codec] };
 */
export interface DataConverter {
  payloadConverter?: PayloadConverter;
  /** A module whose `payloadConverter` export is the converter (instead of `payloadConverter`). */
  payloadConverterPath?: string;
  payloadCodecs?: PayloadCodec[];
}
