/**
 * A serialized value as it is stored in history: metadata (at least `encoding`) and data as text.
 * JSON payloads keep their JSON text; binary and encrypted payloads keep base64.
 */
export interface Payload {
  metadata: Record<string, string>;
  data: string;
}

/** Turns values into payloads and back. Runs inside workflow code, so it must be synchronous. */
export interface PayloadConverter {
  toPayload(value: unknown): Payload;
  fromPayload<T = unknown>(payload: Payload): T;
}

/**
 * Transforms payloads on their way to and from history, outside workflow code (e.g. encryption).
 * `encode` runs on everything that reaches history; `decode` undoes it.
 */
export interface PayloadCodec {
  encode(payloads: Payload[]): Promise<Payload[]>;
  decode(payloads: Payload[]): Promise<Payload[]>;
}

/** What a client, worker or test environment takes to shape payloads. */
export interface DataConverter {
  payloadConverter?: PayloadConverter;
  payloadCodecs?: PayloadCodec[];
}
