/**
 * Lambda's event filtering, for the patterns the engine's mappings use (`definitions.ts`): a pattern
 * is an object whose keys must all match; a leaf is a list of allowed values, or of `{ exists }`
 * tests; a nested object matches a nested object. A record that does not match is skipped by the
 * mapping without invoking the function, as Lambda skips (and does not bill) it.
 */
export function matchesFilter(pattern: Record<string, unknown>, record: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const value = (record as Record<string, unknown> | undefined)?.[key];
    if (Array.isArray(expected)) return expected.some((allowed) => matchesLeaf(allowed, value));
    if (typeof expected === 'object' && expected !== null) {
      // An absent node still matches a pattern that asks its leaves not to exist.
      if (value !== undefined && (typeof value !== 'object' || value === null)) return false;
      return matchesFilter(expected as Record<string, unknown>, value ?? {});
    }
    throw new TypeError(`Unsupported filter pattern at '${key}': a list or an object is expected`);
  });
}

function matchesLeaf(allowed: unknown, value: unknown): boolean {
  if (typeof allowed === 'object' && allowed !== null) {
    if ('exists' in allowed && Object.keys(allowed).length === 1) {
      return (allowed as { exists: boolean }).exists === (value !== undefined);
    }
    throw new TypeError(`Unsupported filter operator ${JSON.stringify(allowed)}`);
  }
  return value === allowed;
}
