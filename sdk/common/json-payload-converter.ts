import { InvalidArgumentError } from './errors.ts';
import type { StoredPayload, StoredPayloadConverter } from './payload.ts';

/** Marks a JSON object that stands for a value JSON cannot carry (Date, Uint8Array, BigInt, undefined). */
const TAG = '$cairn';

type Tagged = { [TAG]: 'Date' | 'Uint8Array' | 'BigInt' | 'undefined'; v?: string };

/** JSON.stringify's replacer that tags what JSON cannot carry. */
export function encodeValue(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Date) {
    if (Number.isNaN(original.getTime())) throw new InvalidArgumentError('Cannot serialize an invalid Date');
    return { [TAG]: 'Date', v: original.toISOString() } satisfies Tagged;
  }
  if (original instanceof Uint8Array) {
    return { [TAG]: 'Uint8Array', v: Buffer.from(original).toString('base64') } satisfies Tagged;
  }
  switch (typeof value) {
    case 'bigint':
      return { [TAG]: 'BigInt', v: value.toString() } satisfies Tagged;
    case 'function':
    case 'symbol':
      throw new InvalidArgumentError(
        `Cannot serialize a ${typeof value}${key ? ` at key '${key}'` : ''}: payloads must be plain data`,
      );
    case 'undefined':
      // Inside arrays JSON would turn undefined into null; keep it.
      return Array.isArray(this) ? ({ [TAG]: 'undefined' } satisfies Tagged) : undefined;
    default:
      return value;
  }
}

/** JSON.parse's reviver that restores tagged values. */
export function decodeValue(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !(TAG in value)) return value;
  const tagged = value as Tagged;
  switch (tagged[TAG]) {
    case 'Date':
      return new Date(tagged.v ?? '');
    case 'Uint8Array':
      return new Uint8Array(Buffer.from(tagged.v ?? '', 'base64'));
    case 'BigInt':
      return BigInt(tagged.v ?? '0');
    case 'undefined':
      return undefined;
    default:
      return value;
  }
}

/**
 * The default converter on stored payloads (the fast path of `defaultPayloadConverter`, and the
 * bytes history has always held): `undefined` as a null payload, a top-level `Uint8Array` as binary, and
 * everything else as JSON in which `Date`, `Uint8Array`, `BigInt` and `undefined` inside arrays
 * survive the round trip. Functions and symbols get an `InvalidArgumentError`.
 */
export class StoredJsonPayloadConverter implements StoredPayloadConverter {
  toPayload(value: unknown): StoredPayload {
    if (value === undefined) return { metadata: { encoding: 'binary/null' }, data: '' };
    if (value instanceof Uint8Array) {
      return { metadata: { encoding: 'binary/plain' }, data: Buffer.from(value).toString('base64') };
    }
    let data: string;
    try {
      data = JSON.stringify(value, encodeValue);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      throw new InvalidArgumentError(`Cannot serialize value as JSON: ${(error as Error).message}`);
    }
    return { metadata: { encoding: 'json/plain' }, data };
  }

  fromPayload<T = unknown>(payload: StoredPayload): T {
    switch (payload.metadata.encoding) {
      case 'binary/null':
        return undefined as T;
      case 'binary/plain':
        return new Uint8Array(Buffer.from(payload.data, 'base64')) as T;
      case 'json/plain':
        return JSON.parse(payload.data, decodeValue) as T;
      default:
        throw new InvalidArgumentError(
          `Unknown payload encoding '${payload.metadata.encoding}': is a payload codec missing from this client or worker?`,
        );
    }
  }
}

/** The stored-payload converter used when none is configured. */
export const defaultStoredConverter: StoredPayloadConverter = new StoredJsonPayloadConverter();
