import type { Payload, PayloadCodec, StoredPayloadCodec } from './payload.ts';
import { storedPayloadCodec } from './stored-payload.ts';

function isPayload(value: unknown): value is Payload {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<Payload>;
  return (
    typeof candidate.data === 'string' &&
    candidate.metadata !== null &&
    typeof candidate.metadata === 'object' &&
    typeof (candidate.metadata as Record<string, unknown>).encoding === 'string'
  );
}

/**
 * Applies a codec to every payload inside a value (an event body, a failure with its cause chain),
 * returning a transformed copy. Payloads are found by shape, so every event type is covered,
 * including ones added later.
 */
export async function mapPayloads<T>(
  value: T,
  transform: (payloads: Payload[]) => Promise<Payload[]>,
): Promise<T> {
  const found: Payload[] = [];
  const collect = (node: unknown): void => {
    if (isPayload(node)) found.push(node);
    else if (Array.isArray(node)) for (const item of node) collect(item);
    else if (node !== null && typeof node === 'object')
      for (const child of Object.values(node)) collect(child);
  };
  collect(value);
  if (found.length === 0) return value;
  const replaced = await transform(found);
  let index = 0;
  const rebuild = (node: unknown): unknown => {
    if (isPayload(node)) return replaced[index++];
    if (Array.isArray(node)) return node.map(rebuild);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, rebuild(child)]));
    }
    return node;
  };
  return rebuild(value) as T;
}

/** Runs payloads through codecs in order (encode) or in reverse order (decode). */
export class CodecChain {
  private readonly codecs: readonly StoredPayloadCodec[];
  constructor(codecs: readonly PayloadCodec[] = []) {
    this.codecs = codecs.map(storedPayloadCodec);
  }

  get isIdentity(): boolean {
    return this.codecs.length === 0;
  }

  async encode<T>(value: T): Promise<T> {
    if (this.isIdentity) return value;
    return mapPayloads(value, async (payloads) => {
      let current = payloads;
      for (const codec of this.codecs) current = await codec.encode(current);
      return current;
    });
  }

  async decode<T>(value: T): Promise<T> {
    if (this.isIdentity) return value;
    return mapPayloads(value, async (payloads) => {
      let current = payloads;
      for (const codec of [...this.codecs].reverse()) current = await codec.decode(current);
      return current;
    });
  }
}
