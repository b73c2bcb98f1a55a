import { InvalidArgumentError } from './errors.ts';

/** A search attribute value as stored: dates become ISO strings. */
export type SearchAttributeValue = string | number | boolean | string[];

/** A value as given: Cairn's scalars, or Temporal's arrays (`[42]`, `['a', 'b']`; `[]` removes it). */
export type SearchAttributeInput =
  | string
  | number
  | boolean
  | Date
  | readonly string[]
  | readonly number[]
  | readonly boolean[]
  | readonly Date[];

/** Search attributes as given to a start or an upsert. */
export type SearchAttributesInput = Record<string, SearchAttributeInput>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function scalar(key: string, value: unknown): string | number | boolean {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new InvalidArgumentError(`Search attribute '${key}' is an invalid Date`);
    return value.toISOString();
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new InvalidArgumentError(
    `Search attribute '${key}' must be a string, finite number, boolean, Date, or an array of them`,
  );
}

/**
 * One value as stored, or `null` for Temporal's `[]` (remove it). A list of strings stays a list
 * (a keyword list); a one-element list of a number, boolean or date is that value, as Temporal's
 * single-valued attributes are; longer lists of those have no stored form and are refused.
 */
function normalizeValue(key: string, value: unknown): SearchAttributeValue | null {
  if (!Array.isArray(value)) return scalar(key, value);
  if (value.length === 0) return null;
  if (value.every((v) => typeof v === 'string')) return [...value];
  if (value.length === 1) return scalar(key, value[0]);
  throw new InvalidArgumentError(
    `Search attribute '${key}' has ${value.length} non-string values: Cairn keeps one number, boolean or date per attribute (lists are of strings); pass [value] or value`,
  );
}

function checkName(key: string): void {
  if (!NAME.test(key)) {
    throw new InvalidArgumentError(`Search attribute name '${key}' must be letters, digits and underscores`);
  }
}

/** Stores dates as ISO strings and rejects values a query cannot compare; `[]` leaves a key out. */
export function normalizeSearchAttributes(
  attributes: SearchAttributesInput,
): Record<string, SearchAttributeValue> {
  const normalized: Record<string, SearchAttributeValue> = {};
  for (const [key, value] of Object.entries(attributes)) {
    checkName(key);
    const stored = normalizeValue(key, value);
    if (stored !== null) normalized[key] = stored;
  }
  return normalized;
}

/** As `normalizeSearchAttributes`, for an upsert: `[]` (or `null`) becomes `null`, which removes the key. */
export function normalizeSearchAttributeUpdates(
  attributes: Record<string, SearchAttributeInput | null>,
): Record<string, SearchAttributeValue | null> {
  const normalized: Record<string, SearchAttributeValue | null> = {};
  for (const [key, value] of Object.entries(attributes)) {
    checkName(key);
    normalized[key] = value === null ? null : normalizeValue(key, value);
  }
  return normalized;
}
