import { InvalidArgumentError } from './errors.ts';

/** A search attribute value as stored: dates become ISO strings. */
export type SearchAttributeValue = string | number | boolean | string[];

/** Stores dates as ISO strings and rejects values a query cannot compare. */
export function normalizeSearchAttributes(
  attributes: Record<string, string | number | boolean | Date | string[]>,
): Record<string, SearchAttributeValue> {
  const normalized: Record<string, SearchAttributeValue> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new InvalidArgumentError(
        `Search attribute name '${key}' must be letters, digits and underscores`,
      );
    }
    if (value instanceof Date) normalized[key] = value.toISOString();
    else if (
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    ) {
      normalized[key] = value;
    } else {
      throw new InvalidArgumentError(
        `Search attribute '${key}' must be a string, finite number, boolean, Date or string[]`,
      );
    }
  }
  return normalized;
}
