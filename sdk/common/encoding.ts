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

/** Standard base64 of bytes (browser-safe: no Buffer). */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of standard (or URL-safe) base64 text. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
