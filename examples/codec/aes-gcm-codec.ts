import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { decode, encode, METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from 'cairnflow/common';

const ENCODING = 'binary/encrypted';
const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

/** A payload as bytes, to encrypt whole (Temporal's sample uses the payload's protobuf encoding). */
function serialize(payload: Payload): Uint8Array {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value).toString('base64'),
    ]),
  );
  return encode(
    JSON.stringify({ metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') }),
  );
}

function deserialize(bytes: Uint8Array): Payload {
  const { metadata, data } = JSON.parse(decode(bytes)) as { metadata: Record<string, string>; data: string };
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata).map(([key, value]) => [key, new Uint8Array(Buffer.from(value, 'base64'))]),
    ),
    data: new Uint8Array(Buffer.from(data, 'base64')),
  };
}

/**
 * An example payload codec, written as for Temporal (`Uint8Array` payloads): AES-256-GCM with a
 * key the engine never sees. Everything that reaches history (inputs, results, signal arguments,
 * heartbeat details, failure details) is encrypted by the client or worker before it leaves the
 * process, and decrypted only there.
 *
 * @example
 * const dataConverter = { payloadCodecs: [new AesGcmCodec(keyId, key)] };
 * new Client({ endpoint, dataConverter }); TestWorkflowEnvironment.createTimeSkipping({ dataConverter, workers });
 */
export class AesGcmCodec implements PayloadCodec {
  constructor(
    private readonly keyId: string,
    private readonly key: Uint8Array,
  ) {
    if (key.length !== 32) throw new TypeError('AesGcmCodec needs a 32-byte key');
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const sealed = Buffer.concat([
        iv,
        cipher.update(serialize(payload)),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: encode(ENCODING),
          [METADATA_ENCRYPTION_KEY_ID]: encode(this.keyId),
        },
        data: new Uint8Array(sealed),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const metadata = payload.metadata ?? {};
      const encoding = metadata[METADATA_ENCODING_KEY];
      if (!encoding || decode(encoding) !== ENCODING) return payload;
      const keyId = metadata[METADATA_ENCRYPTION_KEY_ID];
      if (!keyId || decode(keyId) !== this.keyId) {
        throw new Error(`Payload was encrypted with key '${keyId && decode(keyId)}', not '${this.keyId}'`);
      }
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      const plaintext = Buffer.concat([
        decipher.update(sealed.subarray(12, sealed.length - 16)),
        decipher.final(),
      ]);
      return deserialize(plaintext);
    });
  }
}
