/**
 * `true` when a schema's output and a type owned elsewhere (by `sdk/engine` or `sdk/common`, which
 * stay free of zod) have the same keys and accept each other's values, so a field added on one
 * side only fails the build. Assignability alone would miss an optional field the schema lacks.
 *
 * @example
 * true satisfies SameShape<z.output<typeof payloadObject>, Payload>;
 */
export type SameShape<A, B> = [keyof A, A] extends [keyof B, B]
  ? [keyof B, B] extends [keyof A, A]
    ? true
    : false
  : false;
