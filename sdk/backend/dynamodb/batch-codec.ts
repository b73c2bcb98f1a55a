import { promisify } from 'node:util';
import {
  deflateRaw as deflateRawCallback,
  gunzip as gunzipCallback,
  gzip as gzipCallback,
  inflateRaw as inflateRawCallback,
} from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PayloadTooLargeError } from '../../common/errors.ts';
import type { HistoryEvent } from '../../engine/events.ts';
import type { RunState } from '../../engine/run-state.ts';
import { BATCH_DICTIONARY_V1 } from './batch-dictionary.ts';
import { MAX_CHUNKS } from './keys.ts';

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);
const deflateRaw = promisify(deflateRawCallback);
const inflateRaw = promisify(inflateRawCallback);

/**
 * How one committed batch is laid out in DynamoDB (DESIGN.md, "Data and limits").
 *
 * A batch's events and the run state after it are one JSON value `[events, state]`, deflated with a
 * preset dictionary (`batch-dictionary.ts`) into the head's `body`, whose first byte names the codec
 * ({@link BODY_CODEC}). Write units are billed per started KB of the whole item, and a typical
 * step's batch is ~1.8 KB of JSON: compressed together it is ~300 bytes, so the step's item fits
 * one write unit with room for larger payloads. A body that would pass {@link HEAD_BODY_LIMIT} (a
 * fan-out of hundreds of activities) takes the split layout below instead, which keeps the state
 * inline where it fits, so reading the run's head does not load the events' chunks.
 *
 * Split layout (also every item written before codec 1, still read): the head item holds the batch's events and the run state after it, each as JSON text (`events`,
 * `state`) or, above {@link COMPRESS_ABOVE_BYTES}, gzipped (`eventsGz`, `stateGz`). Write units are
 * billed per KB, and run state is very repetitive (1,000 pending activities share their options,
 * type and task queue), so gzip makes a fan-out's state ~35x smaller (348 KB to 9.5 KB, measured) — far cheaper than chunking
 * it on every later append, which would rewrite hundreds of KB per step.
 *
 * When the head would still pass {@link HEAD_BODY_LIMIT} (the item limit is 400 KB), the larger of
 * the two — and, if that is not enough, the other too — moves to overflow chunk items, written
 * before the head.
 * Their bytes (events first, then state) are concatenated and cut into {@link CHUNK_BYTES} pieces;
 * the head names the chunk slot, the count and each part's length. Readers trust only chunks a
 * committed head names.
 */

/** Fields smaller than this stay plain JSON: below one write unit, gzip saves nothing. */
export const COMPRESS_ABOVE_BYTES = 1024;
/** Budget for a head item's events and state, leaving room under 400 KB for keys and attributes. */
export const HEAD_BODY_LIMIT = 300 * 1024;
/** Bytes per overflow chunk item. */
export const CHUNK_BYTES = 300 * 1024;

export type Attributes = Record<string, AttributeValue>;

/** A batch ready to write: the head's body attributes, and the overflow chunks to write first. */
export interface EncodedBatch {
  fields: Attributes;
  chunks: Uint8Array[];
}

interface EncodedField {
  name: 'events' | 'state';
  json: string;
  gz?: Uint8Array;
}

async function encodeField(name: EncodedField['name'], value: unknown): Promise<EncodedField> {
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json);
  const gz = bytes > COMPRESS_ABOVE_BYTES ? await gzip(json) : undefined;
  return { name, json, gz: gz && gz.length < bytes ? gz : undefined };
}

const sizeOf = (field: EncodedField) => field.gz?.length ?? Buffer.byteLength(field.json);

/** First byte of `body`: deflate-raw with {@link BATCH_DICTIONARY_V1}. */
export const BODY_CODEC = 1;

/** Encodes a batch's events and resulting state into head attributes and overflow chunks. */
export async function encodeBatch(events: HistoryEvent[], state: RunState): Promise<EncodedBatch> {
  const deflated = await deflateRaw(JSON.stringify([events, state]), { dictionary: BATCH_DICTIONARY_V1 });
  if (deflated.length < HEAD_BODY_LIMIT) {
    return { fields: { body: { B: Buffer.concat([Buffer.from([BODY_CODEC]), deflated]) } }, chunks: [] };
  }
  return encodeSplit(events, state);
}

async function encodeSplit(events: HistoryEvent[], state: RunState): Promise<EncodedBatch> {
  const [eventsField, stateField] = await Promise.all([
    encodeField('events', events),
    encodeField('state', state),
  ]);
  // Move the larger field out first; the overflow keeps a fixed order (events, then state).
  const moving = new Set<EncodedField>();
  let headBytes = sizeOf(eventsField) + sizeOf(stateField);
  for (const field of [eventsField, stateField].sort((a, b) => sizeOf(b) - sizeOf(a))) {
    if (headBytes <= HEAD_BODY_LIMIT) break;
    moving.add(field);
    headBytes -= sizeOf(field);
  }
  const inline = [eventsField, stateField].filter((field) => !moving.has(field));
  const moved = [eventsField, stateField].filter((field) => moving.has(field));

  const fields: Attributes = {};
  for (const field of inline) {
    if (field.gz) fields[`${field.name}Gz`] = { B: field.gz };
    else fields[field.name] = { S: field.json };
  }
  if (moved.length === 0) return { fields, chunks: [] };

  const parts = await Promise.all(moved.map(async (field) => field.gz ?? (await gzip(field.json))));
  const blob = Buffer.concat(parts);
  const count = Math.ceil(blob.length / CHUNK_BYTES);
  if (count > MAX_CHUNKS) {
    throw new PayloadTooLargeError(
      `A batch of ${events.length} events is ${blob.length} bytes compressed, over the ${MAX_CHUNKS * CHUNK_BYTES} ` +
        'bytes one commit can hold. Schedule fewer activities per workflow task (e.g. in waves) or shrink their inputs.',
    );
  }
  for (const [i, field] of moved.entries()) {
    fields[`${field.name}ChunkBytes`] = { N: String(parts[i]!.length) };
  }
  fields.chunks = { N: String(count) };
  const chunks = Array.from({ length: count }, (_, i) =>
    blob.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES),
  );
  return { fields, chunks };
}

/** A head item's attribute, from the SDK (bytes) or a Lambda stream event (base64 text). */
export type ImageValue = { S?: string; N?: string; B?: Uint8Array | string };
export type Image = Record<string, ImageValue | undefined>;

function bytesOf(value: ImageValue | undefined): Buffer | undefined {
  if (value?.B === undefined) return undefined;
  return typeof value.B === 'string' ? Buffer.from(value.B, 'base64') : Buffer.from(value.B);
}

/** The number of overflow chunks a head names (0 when everything is inline). */
export function chunkCount(head: Image): number {
  return head.chunks?.N ? Number(head.chunks.N) : 0;
}

async function decodeBody(head: Image, body: Buffer): Promise<[HistoryEvent[], RunState]> {
  if (body[0] !== BODY_CODEC) {
    throw new Error(
      `History item ${head.pk?.S}/${head.sk?.N} has body codec ${body[0]}, unknown to this version`,
    );
  }
  const json = await inflateRaw(body.subarray(1), { dictionary: BATCH_DICTIONARY_V1 });
  return JSON.parse(json.toString());
}

/**
 * Decodes the events or the state of a head item. `loadChunks` fetches the overflow chunks the head
 * names, and is called only when the field is in them.
 */
export async function decodeField<K extends 'events' | 'state'>(
  head: Image,
  name: K,
  loadChunks: () => Promise<Uint8Array[]>,
): Promise<K extends 'events' ? HistoryEvent[] : RunState> {
  const body = bytesOf(head.body);
  if (body) {
    const [events, state] = await decodeBody(head, body);
    return (name === 'events' ? events : state) as K extends 'events' ? HistoryEvent[] : RunState;
  }
  const plain = head[name]?.S;
  if (plain !== undefined) return JSON.parse(plain);
  const gz = bytesOf(head[`${name}Gz`]);
  if (gz) return JSON.parse((await gunzip(gz)).toString());
  const eventsBytes = Number(head.eventsChunkBytes?.N ?? 0);
  const ownBytes = Number(head[`${name}ChunkBytes`]?.N ?? Number.NaN);
  if (!Number.isInteger(ownBytes)) throw new Error(`History item ${head.pk?.S}/${head.sk?.N} has no ${name}`);
  const blob = Buffer.concat(await loadChunks());
  const start = name === 'events' ? 0 : eventsBytes;
  if (blob.length < start + ownBytes) {
    throw new Error(
      `History item ${head.pk?.S}/${head.sk?.N}: overflow chunks hold ${blob.length} bytes, expected more`,
    );
  }
  return JSON.parse((await gunzip(blob.subarray(start, start + ownBytes))).toString());
}
