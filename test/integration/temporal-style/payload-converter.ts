// What a worker's and a client's `dataConverter: { payloadConverterPath }` names, as in Temporal.
import { CompositePayloadConverter, UndefinedPayloadConverter } from 'cairnflow/common';
import { ExtendedJsonPayloadConverter } from './extended-json-converter.ts';

export const payloadConverter = new CompositePayloadConverter(
  new UndefinedPayloadConverter(),
  new ExtendedJsonPayloadConverter(),
);
