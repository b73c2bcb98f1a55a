import { base64, fromBase64 } from './encoding.ts';
import { InvalidArgumentError } from './errors.ts';

/**
 * Task tokens in both of Temporal's forms: `activityInfo().taskToken` is bytes (`Uint8Array`), as
 * in Temporal, and `base64TaskToken` the same token as Cairn's base64url text, which the HTTP API
 * carries. Client calls accept either.
 */

/** The bytes of a task token given as its base64url text. */
export function taskTokenBytes(token: string): Uint8Array {
  return fromBase64(token.replace(/-/g, '+').replace(/_/g, '/'));
}

/** A task token as the API's base64url text, from its bytes or its text. */
export function taskTokenText(token: string | Uint8Array): string {
  if (typeof token === 'string') return token;
  if (token instanceof Uint8Array) {
    return base64(token).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  throw new InvalidArgumentError(
    'A task token is activityInfo().taskToken (a Uint8Array) or activityInfo().base64TaskToken (a string)',
  );
}
