/**
 * The seam between Temporal-shaped converters (bytes) and the payloads history stores (text):
 * metadata values as UTF-8 strings; data as its UTF-8 text for `json/*` encodings (so history
 * stays readable JSON, as it always was) and as base64 for every other encoding. A converter
 * or codec written for Temporal plugs in unchanged (codecs through `storedPayloadCodec`).
 */
import { base64, decode, encode, fromBase64, METADATA_ENCODING_KEY } from './encoding.ts';
import { InvalidArgumentError } from './errors.ts';
import { defaultStoredConverter } from './json-payload-converter.ts';
import type {
  DataConverter,
  PayloadCodec,
  StoredPayload,
  StoredPayloadCodec,
  StoredPayloadConverter,
} from './payload.ts';
import {
  defaultPayloadConverter,
  type Payload,
  type PayloadConverter,
  ValueError,
} from './payload-converter.ts';

const isTextEncoding = (encoding: string | undefined) => encoding?.startsWith('json/') ?? false;

function utf8(bytes: Uint8Array, what: string): string {
  try {
    return decode(bytes);
  } catch {
    throw new ValueError(`Payload ${what} is not UTF-8 text; Cairn stores it as text`);
  }
}

/**
 * The metadata key that lists what of a stored payload is base64 though its encoding is text: a
 * JSON array of metadata keys whose values are not UTF-8, and `""` for data that is not (a codec
 * may keep a `json/*` encoding over bytes it transformed). Absent in the usual case, so payloads are
 * stored exactly as before; never shown to converters or codecs.
 */
export const BASE64_PARTS_KEY = 'cairn-base64';

function isUtf8(bytes: Uint8Array): boolean {
  try {
    decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A Temporal-shaped payload in the form history stores. */
export function toStoredPayload(payload: Payload): StoredPayload {
  if (payload === null || typeof payload !== 'object') {
    throw new ValueError('A payload converter returned no payload');
  }
  const metadata: Record<string, string> = {};
  const base64Parts: string[] = [];
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    if (!(value instanceof Uint8Array)) {
      throw new ValueError(
        `Payload metadata '${key}' is a ${typeof value}, not bytes: a converter returns Temporal's payload shape ` +
          `(metadata values and data as Uint8Array; build them with encode() from cairnflow/common)`,
      );
    }
    if (key === BASE64_PARTS_KEY) throw new ValueError(`Payload metadata '${key}' is reserved by Cairn`);
    if (key === METADATA_ENCODING_KEY || isUtf8(value)) {
      metadata[key] = utf8(value, `metadata '${key}'`);
    } else {
      metadata[key] = base64(value);
      base64Parts.push(key);
    }
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
  const asText = isTextEncoding(metadata[METADATA_ENCODING_KEY]) && isUtf8(data);
  if (!asText && isTextEncoding(metadata[METADATA_ENCODING_KEY])) base64Parts.push('');
  if (base64Parts.length) metadata[BASE64_PARTS_KEY] = JSON.stringify(base64Parts);
  return { metadata, data: asText ? decode(data) : base64(data) };
}

/** A stored payload in Temporal's shape, for a converter's `fromPayload` or a codec. */
export function fromStoredPayload(stored: StoredPayload): Payload {
  const { [BASE64_PARTS_KEY]: parts, ...rest } = stored.metadata;
  const base64Parts = new Set<string>(parts ? (JSON.parse(parts) as string[]) : []);
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(rest))
    metadata[key] = base64Parts.has(key) ? fromBase64(value) : encode(value);
  const data =
    isTextEncoding(rest[METADATA_ENCODING_KEY]) && !base64Parts.has('')
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

/**
 * The engine's codec for a Temporal-shaped one: payloads go to it in Temporal's shape (bytes) and
 * come back to history in the stored form, so a codec written for `@temporalio/common` runs
 * unchanged and payloads without codecs are stored exactly as before.
 */
export function storedPayloadCodec(codec: PayloadCodec): StoredPayloadCodec {
  if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function') {
    throw new InvalidArgumentError('A payload codec must have async encode(payloads) and decode(payloads)');
  }
  const through = async (
    step: (payloads: Payload[]) => Promise<Payload[]>,
    stored: StoredPayload[],
    what: string,
  ): Promise<StoredPayload[]> => {
    const out = await step(stored.map(fromStoredPayload));
    if (!Array.isArray(out) || out.length !== stored.length) {
      throw new ValueError(`A payload codec's ${what} must return one payload per payload it was given`);
    }
    return out.map(toStoredPayload);
  };
  return {
    encode: (stored) => through((payloads) => codec.encode(payloads), stored, 'encode'),
    decode: (stored) => through((payloads) => codec.decode(payloads), stored, 'decode'),
  };
}
