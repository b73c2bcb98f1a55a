// Temporal's converter family on Temporal's payload shape, and the adapter that stores its payloads
// as history always held them (JSON as text, bytes as base64).
import {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  DefaultPayloadConverter,
  decode,
  defaultPayloadConverter,
  encode,
  encodingKeys,
  encodingTypes,
  fromStoredPayload,
  JsonPayloadConverter,
  METADATA_ENCODING_KEY,
  type PayloadConverter,
  toStoredPayload,
  UndefinedPayloadConverter,
  ValueError,
} from 'cairnflow/common';
import { createWorker } from 'cairnflow/worker';
import { describe, expect, it } from 'vitest';
import { defaultStoredConverter } from '../../sdk/common/json-payload-converter.ts';
import { storedPayloadConverter } from '../../sdk/common/stored-payload.ts';

const values: unknown[] = [
  undefined,
  null,
  'text',
  42,
  [1, undefined, 'x'],
  { at: new Date('2026-01-02T03:04:05Z'), big: 12345678901234567890n, bytes: new Uint8Array([1, 2]) },
  new Uint8Array([0, 255, 128]),
];

describe('Temporal-shaped payload converters', () => {
  it('make payloads with metadata and data as bytes', () => {
    const payload = defaultPayloadConverter.toPayload({ a: 1 });
    expect(payload.metadata?.[METADATA_ENCODING_KEY]).toEqual(encodingKeys.METADATA_ENCODING_JSON);
    expect(decode(payload.data!)).toBe('{"a":1}');
    expect(new UndefinedPayloadConverter().toPayload(undefined)?.data).toBeUndefined();
    expect(new BinaryPayloadConverter().toPayload('no')).toBeUndefined();
    expect(encodingTypes.METADATA_ENCODING_RAW).toBe('binary/plain');
  });

  it('round-trip every value through a composite of the standard converters', () => {
    const composite = new CompositePayloadConverter(
      new UndefinedPayloadConverter(),
      new BinaryPayloadConverter(),
      new JsonPayloadConverter(),
    );
    for (const value of values) {
      expect(composite.fromPayload(composite.toPayload(value))).toEqual(value);
      expect(new DefaultPayloadConverter().fromPayload(composite.toPayload(value))).toEqual(value);
    }
  });

  it('refuse an unknown encoding and a value no converter takes with ValueError', () => {
    const payload = { metadata: { [METADATA_ENCODING_KEY]: encode('binary/encrypted') }, data: encode('x') };
    expect(() => defaultPayloadConverter.fromPayload(payload)).toThrow(ValueError);
    expect(() => defaultPayloadConverter.fromPayload(payload)).toThrow(/is a payload codec missing/);
    expect(() => new CompositePayloadConverter(new BinaryPayloadConverter()).toPayload('s')).toThrow(
      ValueError,
    );
  });
});

describe('stored payloads', () => {
  it('the default converter stores exactly what history has always held', () => {
    const stored = storedPayloadConverter(undefined);
    expect(stored).toBe(defaultStoredConverter);
    expect(storedPayloadConverter(defaultPayloadConverter)).toBe(defaultStoredConverter);
    // The same bytes by way of the adapter, as any other Temporal-style converter would take.
    const adapted = storedPayloadConverter(new DefaultPayloadConverter());
    for (const value of values) {
      expect(adapted.toPayload(value)).toEqual(defaultStoredConverter.toPayload(value));
      expect(adapted.fromPayload(defaultStoredConverter.toPayload(value))).toEqual(value);
    }
  });

  it('keep JSON as text and other encodings as base64', () => {
    const json = {
      metadata: { encoding: encode('json/plain'), format: encode('extended') },
      data: encode('{"é":1}'),
    };
    expect(toStoredPayload(json)).toEqual({
      metadata: { encoding: 'json/plain', format: 'extended' },
      data: '{"é":1}',
    });
    expect(fromStoredPayload(toStoredPayload(json))).toEqual(json);
    const binary = { metadata: { encoding: encode('binary/plain') }, data: new Uint8Array([0, 255]) };
    expect(toStoredPayload(binary)).toEqual({ metadata: { encoding: 'binary/plain' }, data: 'AP8=' });
    expect(fromStoredPayload(toStoredPayload(binary))).toEqual(binary);
  });

  it("refuse a converter that returns Cairn's stored shape instead of Temporal's, saying what to do", () => {
    const stringly = {
      toPayload: () => ({ metadata: { encoding: 'json/plain' }, data: '1' }),
      fromPayload: () => 1,
    } as unknown as PayloadConverter;
    expect(() => storedPayloadConverter(stringly).toPayload(1)).toThrow(
      /build them with encode\(\) from cairnflow\/common/,
    );
    expect(() => toStoredPayload({ metadata: { encoding: new Uint8Array([0xff]) } })).toThrow(/not UTF-8/);
    expect(() => toStoredPayload({ data: encode('x') })).toThrow(/without 'encoding' metadata/);
  });

  it('createWorker refuses payloadConverterPath, which it cannot load synchronously', () => {
    expect(() =>
      createWorker({
        taskQueue: 'q',
        activities: { async a() {} },
        dataConverter: { payloadConverterPath: '/somewhere/payload-converter.js' },
      }),
    ).toThrow(/import the module and pass dataConverter: \{ payloadConverter \}/);
  });
});
