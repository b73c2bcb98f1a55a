// A custom payload converter written against Temporal's converter API, the way Temporal's EJSON
// sample writes one (a PayloadConverterWithEncoding for 'json/plain' with an 'extended' format):
// it keeps RegExps, NaN and the infinities, which plain JSON loses. Only the imports are Cairn's.
import {
  decode,
  encode,
  METADATA_ENCODING_KEY,
  type Payload,
  PayloadConverterError,
  type PayloadConverterWithEncoding,
} from 'cairnflow/common';

type Tagged =
  | { $regexp: string; $flags: string }
  | { $number: 'NaN' | 'Infinity' | '-Infinity' }
  | { $date: number };

function tag(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof RegExp) return { $regexp: original.source, $flags: original.flags };
  if (original instanceof Date) return { $date: original.getTime() };
  if (typeof original === 'number' && !Number.isFinite(original)) return { $number: String(original) };
  return value;
}

function untag(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const tagged = value as Tagged;
  if ('$regexp' in tagged) return new RegExp(tagged.$regexp, tagged.$flags);
  if ('$date' in tagged) return new Date(tagged.$date);
  if ('$number' in tagged) return Number(tagged.$number);
  return value;
}

export class ExtendedJsonPayloadConverter implements PayloadConverterWithEncoding {
  // The same encoding as the default JSON converter: other SDKs can still read the payloads as JSON.
  public encodingType = 'json/plain';

  public toPayload(value: unknown): Payload | undefined {
    if (value === undefined) return undefined;
    let text: string;
    try {
      text = JSON.stringify(value, tag);
    } catch (error) {
      throw new PayloadConverterError(`Cannot serialize ${typeof value}: ${(error as Error).message}`);
    }
    return {
      metadata: { [METADATA_ENCODING_KEY]: encode('json/plain'), format: encode('extended') },
      data: encode(text),
    };
  }

  public fromPayload<T>(content: Payload): T {
    return (content.data ? JSON.parse(decode(content.data), untag) : content.data) as T;
  }
}
