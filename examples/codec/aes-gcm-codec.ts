import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PayloadCodec, StoredPayload } from 'cairnflow/common';

const ENCODING = 'binary/encrypted';

/**
 * An example payload codec: AES-256-GCM with a key the engine never sees. Everything that reaches
 * history (inputs, results, signal arguments, heartbeat details, failure details) is encrypted by
 * the client or worker before it leaves the process, and decrypted only there.
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

  async encode(payloads: StoredPayload[]): Promise<StoredPayload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const plaintext = Buffer.from(JSON.stringify(payload));
      const sealed = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: ENCODING, 'encryption-key-id': this.keyId },
        data: sealed.toString('base64'),
      };
    });
  }

  async decode(payloads: StoredPayload[]): Promise<StoredPayload[]> {
    return payloads.map((payload) => {
      if (payload.metadata.encoding !== ENCODING) return payload;
      if (payload.metadata['encryption-key-id'] !== this.keyId) {
        throw new Error(
          `Payload was encrypted with key '${payload.metadata['encryption-key-id']}', not '${this.keyId}'`,
        );
      }
      const sealed = Buffer.from(payload.data, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      const plaintext = Buffer.concat([
        decipher.update(sealed.subarray(12, sealed.length - 16)),
        decipher.final(),
      ]);
      return JSON.parse(plaintext.toString()) as StoredPayload;
    });
  }
}
