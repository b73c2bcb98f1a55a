/**
 * The seam between Temporal-shaped converters (bytes) and the payloads history stores (text):
 * metadata values as UTF-8 strings; data as its UTF-8 text for `json/*` encodings (so history
 * stays readable JSON, as it always was) and as base64 for every other encoding. A converter
 * written for Temporal plugs in unchanged; codecs keep working on the stored form.
 */
import { decode, encode, METADATA_ENCODING_KEY } from './encoding.ts';
import { InvalidArgumentError } from './errors.ts';
import { defaultStoredConverter } from './json-payload-converter.ts';
import type { DataConverter, StoredPayload, StoredPayloadConverter } from './payload.ts';
import {
  defaultPayloadConverter,
  type Payload,
  type PayloadConverter,
  ValueError,
} from './payload-converter.ts';

const isTextEncoding = (encoding: string | undefined) => encoding?.startsWith('json/') ?? false;

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function utf8(bytes: Uint8Array, what: string): string {
  try {
    return decode(bytes);
  } catch {
    throw new ValueError(`Payload ${what} is not UTF-8 text; Cairn stores it as text`);
  }
}

/** A Temporal-shaped payload in the form history stores. */
export function toStoredPayload(payload: Payload): StoredPayload {
  if (payload === null || typeof payload !== 'object') {
    throw new ValueError('A payload converter returned no payload');
  }
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    if (!(value instanceof Uint8Array)) {
      throw new ValueError(
        `Payload metadata '${key}' is a ${typeof value}, not bytes: a converter returns Temporal's payload shape ` +
          `(metadata values and data as Uint8Array; build them with encode() from cairnflow/common)`,
      );
    }
    metadata[key] = utf8(value, `metadata '${key}'`);
  }
  if (metadata[METADATA_ENCODING_KEY] === undefined) {
    throw new ValueError(
      `A payload converter returned a payload without '${METADATA_ENCODING_KEY}' metadata`,
    );
  }
  const data = payload.data ?? new Uint8Array();
  if (!(data instanceof Uint8Array)) {
    throw new ValueError(
      `Payload data is a ${typeof data}, not bytes: a converter returns Temporal's payload shape ` +
        `(data as Uint8Array; build it with encode() from cairnflow/common)`,
    );
  }
  const stored = isTextEncoding(metadata[METADATA_ENCODING_KEY]) ? utf8(data, 'data') : base64(data);
  return { metadata, data: stored };
}

/** A stored payload in Temporal's shape, for a converter's `fromPayload`. */
export function fromStoredPayload(stored: StoredPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(stored.metadata)) metadata[key] = encode(value);
  const data = isTextEncoding(stored.metadata[METADATA_ENCODING_KEY])
    ? encode(stored.data)
    : fromBase64(stored.data);
  return { metadata, data };
}

/**
 * The engine's converter for a Temporal-shaped one. The default converter keeps its direct path
 * on stored payloads: same bytes in history, no detour through bytes.
 */
export function storedPayloadConverter(converter: PayloadConverter | undefined): StoredPayloadConverter {
  if (converter === undefined || converter === defaultPayloadConverter) return defaultStoredConverter;
  if (typeof converter?.toPayload !== 'function' || typeof converter.fromPayload !== 'function') {
    throw new InvalidArgumentError('payloadConverter must have toPayload(value) and fromPayload(payload)');
  }
  return {
    toPayload: (value) => toStoredPayload(converter.toPayload(value)),
    fromPayload: <T>(stored: StoredPayload) => converter.fromPayload<T>(fromStoredPayload(stored)),
  };
}

const DATA_CONVERTER_OPTIONS = new Set(['payloadConverter', 'payloadConverterPath', 'payloadCodecs']);

/**
 * Checks a `DataConverter` and loads `payloadConverterPath` (the module's `payloadConverter`
 * export), so what follows has a converter object. Options Cairn has no meaning for are refused.
 */
export async function loadDataConverter(
  dataConverter: DataConverter | undefined,
): Promise<DataConverter | undefined> {
  if (dataConverter === undefined) return undefined;
  checkDataConverter(dataConverter);
  const { payloadConverterPath, ...rest } = dataConverter;
  if (payloadConverterPath === undefined) return rest;
  const url = new URL('file:///');
  url.pathname = payloadConverterPath.replace(/\\/g, '/');
  const module = (await import(/* @vite-ignore */ url.href)) as { payloadConverter?: PayloadConverter };
  if (!module.payloadConverter || typeof module.payloadConverter.toPayload !== 'function') {
    throw new InvalidArgumentError(
      `payloadConverterPath '${payloadConverterPath}' has no 'payloadConverter' export: export const payloadConverter = new CompositePayloadConverter(...)`,
    );
  }
  return { ...rest, payloadConverter: module.payloadConverter };
}

/** Refuses what a `DataConverter` cannot mean here, before anything runs with it. */
export function checkDataConverter(dataConverter: DataConverter): void {
  for (const key of Object.keys(dataConverter)) {
    if (!DATA_CONVERTER_OPTIONS.has(key)) {
      throw new InvalidArgumentError(
        `dataConverter.${key} is not supported (${key === 'failureConverterPath' ? 'failures are converted by Cairn itself' : 'no such option'}); the options are ${[...DATA_CONVERTER_OPTIONS].join(', ')}`,
      );
    }
  }
  if (dataConverter.payloadConverter !== undefined && dataConverter.payloadConverterPath !== undefined) {
    throw new InvalidArgumentError('Pass payloadConverter or payloadConverterPath, not both');
  }
  if (
    dataConverter.payloadConverterPath !== undefined &&
    typeof dataConverter.payloadConverterPath !== 'string'
  ) {
    throw new InvalidArgumentError('payloadConverterPath must be a module path');
  }
}
