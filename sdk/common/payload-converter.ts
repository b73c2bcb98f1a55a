/**
 * Temporal's payload converters, with Temporal's payload shape (`metadata` and `data` as bytes), so
 * a converter written for `@temporalio/common` (EJSON, superjson, protobuf JSON) runs unchanged.
 * The engine stores payloads in its own text form; stored-payload.ts converts between the two.
 *
 * @example
 * export const payloadConverter = new CompositePayloadConverter(new UndefinedPayloadConverter(), new EjsonPayloadConverter());
 */
import { decode, encode, encodingTypes, METADATA_ENCODING_KEY } from './encoding.ts';
import { CairnError } from './errors.ts';
import { decodeValue, encodeValue } from './json-payload-converter.ts';

/** A serialized value, as Temporal's converters make it: metadata (at least `encoding`) and data, as bytes. */
export interface Payload {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}

/** Turns values into payloads and back. Runs inside workflow code, so it must be synchronous. */
export interface PayloadConverter {
  toPayload<T>(value: T): Payload;
  fromPayload<T>(payload: Payload): T;
}

/**
 * One encoding's converter, for a `CompositePayloadConverter`: `toPayload` returns `undefined` for
 * a value it does not handle, so the next converter is tried.
 */
export interface PayloadConverterWithEncoding {
  readonly encodingType: string;
  toPayload<T>(value: T): Payload | undefined;
  fromPayload<T>(payload: Payload): T;
}

/** A value or payload a converter cannot handle, as in Temporal. */
export class ValueError extends CairnError {
  override readonly name: string = 'ValueError';
  override readonly code = 'InvalidArgument';
}

/** A converter failed to serialize or parse a value (Temporal's `PayloadConverterError`). */
export class PayloadConverterError extends ValueError {
  override readonly name: string = 'PayloadConverterError';
}

/** The encoding named by a payload's metadata, or a `ValueError` saying it has none. */
function encodingOf(payload: Payload): string {
  const bytes = payload.metadata?.[METADATA_ENCODING_KEY];
  if (!(bytes instanceof Uint8Array)) throw new ValueError('Payload has no encoding in its metadata');
  return decode(bytes);
}

/**
 * Tries its converters in order on the way out (the first that does not return `undefined` wins)
 * and picks the one of the payload's encoding on the way in, as Temporal's does.
 */
export class CompositePayloadConverter implements PayloadConverter {
  readonly converters: PayloadConverterWithEncoding[];
  readonly converterByEncoding = new Map<string, PayloadConverterWithEncoding>();

  constructor(...converters: PayloadConverterWithEncoding[]) {
    if (converters.length === 0)
      throw new ValueError('CompositePayloadConverter needs at least one converter');
    this.converters = converters;
    for (const converter of converters) this.converterByEncoding.set(converter.encodingType, converter);
  }

  toPayload<T>(value: T): Payload {
    for (const converter of this.converters) {
      const payload = converter.toPayload(value);
      if (payload !== undefined) return payload;
    }
    throw new ValueError(`None of the payload converters can convert a value of type ${typeof value}`);
  }

  fromPayload<T>(payload: Payload): T {
    const encoding = encodingOf(payload);
    const converter = this.converterByEncoding.get(encoding);
    if (!converter) {
      throw new ValueError(
        `Unknown payload encoding '${encoding}': is a payload codec missing from this client or worker?`,
      );
    }
    return converter.fromPayload(payload);
  }
}

/** `undefined` as a `binary/null` payload without data. */
export class UndefinedPayloadConverter implements PayloadConverterWithEncoding {
  readonly encodingType = encodingTypes.METADATA_ENCODING_NULL;
  toPayload<T>(value: T): Payload | undefined {
    if (value !== undefined) return undefined;
    return { metadata: { [METADATA_ENCODING_KEY]: encode(this.encodingType) } };
  }
  fromPayload<T>(_payload: Payload): T {
    return undefined as T;
  }
}

/** A `Uint8Array` as a `binary/plain` payload holding its bytes. */
export class BinaryPayloadConverter implements PayloadConverterWithEncoding {
  readonly encodingType = encodingTypes.METADATA_ENCODING_RAW;
  toPayload<T>(value: T): Payload | undefined {
    if (!(value instanceof Uint8Array)) return undefined;
    return { metadata: { [METADATA_ENCODING_KEY]: encode(this.encodingType) }, data: value };
  }
  fromPayload<T>(payload: Payload): T {
    return (payload.data ?? new Uint8Array()) as T;
  }
}

/**
 * A value as `json/plain`. Unlike plain `JSON.stringify`, `Date`, `Uint8Array`, `BigInt` and
 * `undefined` inside arrays survive the round trip (tagged as Cairn's default always did);
 * functions and symbols are refused. `undefined` is left to `UndefinedPayloadConverter`.
 */
export class JsonPayloadConverter implements PayloadConverterWithEncoding {
  readonly encodingType = encodingTypes.METADATA_ENCODING_JSON;
  toPayload<T>(value: T): Payload | undefined {
    if (value === undefined) return undefined;
    let text: string;
    try {
      text = JSON.stringify(value, encodeValue);
    } catch (error) {
      throw new PayloadConverterError(`Cannot serialize value as JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return { metadata: { [METADATA_ENCODING_KEY]: encode(this.encodingType) }, data: encode(text) };
  }
  fromPayload<T>(payload: Payload): T {
    if (!payload.data) throw new ValueError('json/plain payload has no data');
    return JSON.parse(decode(payload.data), decodeValue) as T;
  }
}

/** Temporal's default: `undefined`, then bytes, then JSON. */
export class DefaultPayloadConverter extends CompositePayloadConverter {
  constructor() {
    super(new UndefinedPayloadConverter(), new BinaryPayloadConverter(), new JsonPayloadConverter());
  }
}

/**
 * The converter used when none is configured. Its payloads are stored exactly as Cairn's always
 * were (JSON as its text, bytes as base64).
 */
export const defaultPayloadConverter: PayloadConverter = new DefaultPayloadConverter();
