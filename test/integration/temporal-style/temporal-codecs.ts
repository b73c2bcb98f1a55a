// Payload codecs written as for Temporal (`@temporalio/common`'s `PayloadCodec`, `Uint8Array`
// payloads), with only the import changed.
import { decode, encode, METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from 'cairnflow/common';

/** Sees every payload it is given, to check their shape. */
export const seen: Payload[] = [];

/**
 * Scrambles data in place and keeps the payload's encoding (so `json/plain` data becomes bytes
 * that are not UTF-8), with a binary nonce in the metadata, as some Temporal codecs do.
 */
export class ScrambleCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      seen.push(payload);
      return {
        metadata: {
          ...payload.metadata,
          scrambled: encode('xor-ff'),
          nonce: new Uint8Array([0xff, 0x00, 0xfe]),
        },
        data: (payload.data ?? new Uint8Array()).map((byte) => byte ^ 0xff),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const { scrambled, nonce, ...metadata } = payload.metadata ?? {};
      if (!scrambled || decode(scrambled) !== 'xor-ff') return payload;
      if (nonce?.length !== 3 || nonce[0] !== 0xff) throw new Error('nonce did not survive');
      return { metadata, data: (payload.data ?? new Uint8Array()).map((byte) => byte ^ 0xff) };
    });
  }
}

/** Wraps payloads in a JSON envelope of its own encoding (text data under a `json/*` encoding). */
export class EnvelopeCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: encode('json/envelope') },
      data: encode(
        JSON.stringify({
          encoding: decode(payload.metadata![METADATA_ENCODING_KEY]!),
          data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
        }),
      ),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (decode(payload.metadata![METADATA_ENCODING_KEY]!) !== 'json/envelope') return payload;
      const { encoding, data } = JSON.parse(decode(payload.data!)) as { encoding: string; data: string };
      return {
        metadata: { [METADATA_ENCODING_KEY]: encode(encoding) },
        data: new Uint8Array(Buffer.from(data, 'base64')),
      };
    });
  }
}

/** Broken codecs, for the errors they must cause. */
export const dropsPayloads: PayloadCodec = {
  encode: async () => [],
  decode: async (payloads) => payloads,
};
export const returnsText: PayloadCodec = {
  encode: async (payloads) =>
    payloads.map(() => ({ metadata: { encoding: 'json/plain' }, data: '1' }) as never),
  decode: async (payloads) => payloads,
};
