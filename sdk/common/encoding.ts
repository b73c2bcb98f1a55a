/**
 * Temporal's payload encodings and the UTF-8 helpers converters use to build payloads, as
 * `@temporalio/common` has them (`METADATA_ENCODING_KEY`, `encodingTypes`, `encodingKeys`,
 * `encode`, `decode`).
 *
 * @example
 * const payload = { metadata: { [METADATA_ENCODING_KEY]: encode('json/plain') }, data: encode('{"a":1}') };
 */

/** The metadata key that names a payload's encoding. */
export const METADATA_ENCODING_KEY = 'encoding';

/** The encodings of the standard converters. */
export const encodingTypes = {
  METADATA_ENCODING_NULL: 'binary/null',
  METADATA_ENCODING_RAW: 'binary/plain',
  METADATA_ENCODING_JSON: 'json/plain',
  METADATA_ENCODING_PROTOBUF_JSON: 'json/protobuf',
  METADATA_ENCODING_PROTOBUF: 'binary/protobuf',
} as const;

/** One of `encodingTypes`. */
export type EncodingType = (typeof encodingTypes)[keyof typeof encodingTypes];

const encoder = new TextEncoder();
// fatal: a payload's text that is not UTF-8 is an error, not silently replaced characters.
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The string of UTF-8 bytes; throws `TypeError` on bytes that are not UTF-8. */
export function decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** `encodingTypes` as the bytes stored under `METADATA_ENCODING_KEY`. */
export const encodingKeys = {
  METADATA_ENCODING_NULL: encode(encodingTypes.METADATA_ENCODING_NULL),
  METADATA_ENCODING_RAW: encode(encodingTypes.METADATA_ENCODING_RAW),
  METADATA_ENCODING_JSON: encode(encodingTypes.METADATA_ENCODING_JSON),
  METADATA_ENCODING_PROTOBUF_JSON: encode(encodingTypes.METADATA_ENCODING_PROTOBUF_JSON),
  METADATA_ENCODING_PROTOBUF: encode(encodingTypes.METADATA_ENCODING_PROTOBUF),
} as const;
