/**
 * Typed search attributes, as in Temporal: a key names an attribute and its type, so values are
 * checked where they are set and read back typed.
 *
 * @example
 * const OrderTotal = defineSearchAttributeKey('OrderTotal', SearchAttributeType.DOUBLE);
 * await client.workflow.start(order, { ..., typedSearchAttributes: [{ key: OrderTotal, value: 99.5 }] });
 * upsertSearchAttributes([{ key: OrderTotal, value: null }]); // removes it
 */
import { InvalidArgumentError } from './errors.ts';
import type { SearchAttributeInput, SearchAttributeValue } from './search-attributes.ts';

/** The types of typed search attributes. */
export const SearchAttributeType = {
  TEXT: 'TEXT',
  KEYWORD: 'KEYWORD',
  INT: 'INT',
  DOUBLE: 'DOUBLE',
  BOOL: 'BOOL',
  DATETIME: 'DATETIME',
  KEYWORD_LIST: 'KEYWORD_LIST',
} as const;
export type SearchAttributeType = (typeof SearchAttributeType)[keyof typeof SearchAttributeType];

/** The value type of each search attribute type. */
export interface IndexedValueTypeMapping {
  TEXT: string;
  KEYWORD: string;
  INT: number;
  DOUBLE: number;
  BOOL: boolean;
  DATETIME: Date;
  KEYWORD_LIST: string[];
}

/** A typed search attribute's name and type. */
export interface SearchAttributeKey<T extends SearchAttributeType = SearchAttributeType> {
  readonly name: string;
  readonly type: T;
}

/** A key and its value. */
export interface SearchAttributePair<T extends SearchAttributeType = SearchAttributeType> {
  key: SearchAttributeKey<T>;
  value: IndexedValueTypeMapping[T];
}

/** A key and its new value; `null` removes the attribute. */
export interface SearchAttributeUpdatePair<T extends SearchAttributeType = SearchAttributeType> {
  key: SearchAttributeKey<T>;
  value: IndexedValueTypeMapping[T] | null;
}

/** A typed search attribute key. */
export function defineSearchAttributeKey<T extends SearchAttributeType>(
  name: string,
  type: T,
): SearchAttributeKey<T> {
  if (!Object.values(SearchAttributeType).includes(type)) {
    throw new InvalidArgumentError(
      `Unknown search attribute type '${type}'; the types are ${Object.values(SearchAttributeType).join(', ')}`,
    );
  }
  return { name, type };
}

const checks: Record<SearchAttributeType, (value: unknown) => boolean> = {
  TEXT: (v) => typeof v === 'string',
  KEYWORD: (v) => typeof v === 'string',
  INT: (v) => Number.isSafeInteger(v),
  DOUBLE: (v) => typeof v === 'number' && Number.isFinite(v),
  BOOL: (v) => typeof v === 'boolean',
  DATETIME: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
  KEYWORD_LIST: (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'),
};

function checkValue(pair: SearchAttributeUpdatePair): void {
  if (pair.value === null) return;
  if (!checks[pair.key.type]?.(pair.value)) {
    throw new InvalidArgumentError(
      `Search attribute '${pair.key.name}' is ${pair.key.type}; ${JSON.stringify(pair.value)} is not a ${pair.key.type} value`,
    );
  }
}

/** Typed search attributes as the record the engine stores (`null` where an update removes one). */
export function typedToRecord(
  pairs: readonly SearchAttributeUpdatePair[],
): Record<string, SearchAttributeInput | null> {
  const record: Record<string, SearchAttributeInput | null> = {};
  for (const pair of pairs) {
    checkValue(pair);
    record[pair.key.name] = pair.value;
  }
  return record;
}

/**
 * An immutable collection of typed search attributes, as Temporal's `TypedSearchAttributes`.
 *
 * @example
 * const attributes = new TypedSearchAttributes([{ key: CustomerId, value: 'c-42' }]);
 * attributes.get(CustomerId); // 'c-42'
 */
export class TypedSearchAttributes {
  private readonly pairs: SearchAttributePair[];

  constructor(pairs: SearchAttributePair[] = []) {
    for (const pair of pairs) checkValue(pair);
    this.pairs = pairs.map((pair) => ({ ...pair }));
  }

  get<T extends SearchAttributeType>(key: SearchAttributeKey<T>): IndexedValueTypeMapping[T] | undefined {
    const pair = this.pairs.find((p) => p.key.name === key.name && p.key.type === key.type);
    return pair?.value as IndexedValueTypeMapping[T] | undefined;
  }

  getAll(): SearchAttributePair[] {
    return this.pairs.map((pair) => ({ ...pair }));
  }

  /** A copy with the updates applied (`null` removes). */
  updateCopy(updates: SearchAttributeUpdatePair[]): TypedSearchAttributes {
    const byName = new Map(this.pairs.map((pair) => [pair.key.name, pair]));
    for (const update of updates) {
      checkValue(update);
      if (update.value === null) byName.delete(update.key.name);
      else byName.set(update.key.name, update as SearchAttributePair);
    }
    return new TypedSearchAttributes([...byName.values()]);
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The type a stored value most likely had (the engine stores values, not their types). */
function inferredType(value: SearchAttributeValue): SearchAttributeType {
  if (Array.isArray(value)) return 'KEYWORD_LIST';
  if (typeof value === 'boolean') return 'BOOL';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'INT' : 'DOUBLE';
  return ISO_DATE.test(value) ? 'DATETIME' : 'KEYWORD';
}

/** A stored value as the given type's value, or undefined if it cannot be one. */
function asType(value: SearchAttributeValue, type: SearchAttributeType): unknown {
  switch (type) {
    case 'TEXT':
    case 'KEYWORD':
      return typeof value === 'string' ? value : undefined;
    case 'INT':
      return Number.isSafeInteger(value) ? value : undefined;
    case 'DOUBLE':
      return typeof value === 'number' ? value : undefined;
    case 'BOOL':
      return typeof value === 'boolean' ? value : undefined;
    case 'DATETIME': {
      const date = typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : undefined;
      return date && !Number.isNaN(date.getTime()) ? date : undefined;
    }
    case 'KEYWORD_LIST':
      return Array.isArray(value) ? [...value] : undefined;
    default: {
      const unknown: never = type;
      throw new InvalidArgumentError(`Unknown search attribute type '${String(unknown)}'`);
    }
  }
}

/**
 * A run's search attributes read as typed ones (`workflowInfo().typedSearchAttributes`): history
 * keeps values without their types, so `get(key)` reads the value by name as the key's type (a
 * stored ISO string as a `Date` for a DATETIME key), and `getAll()` infers each type from its value.
 */
class StoredTypedSearchAttributes extends TypedSearchAttributes {
  constructor(private readonly record: Readonly<Record<string, SearchAttributeValue>>) {
    super(
      Object.entries(record).map(([name, value]) => {
        const type = inferredType(value);
        return { key: { name, type }, value: asType(value, type) } as SearchAttributePair;
      }),
    );
  }

  override get<T extends SearchAttributeType>(
    key: SearchAttributeKey<T>,
  ): IndexedValueTypeMapping[T] | undefined {
    const value = this.record[key.name];
    return value === undefined
      ? undefined
      : (asType(value, key.type) as IndexedValueTypeMapping[T] | undefined);
  }
}

/** Stored (untyped) search attributes as `TypedSearchAttributes`. */
export function typedFromRecord(
  record: Readonly<Record<string, SearchAttributeValue>>,
): TypedSearchAttributes {
  return new StoredTypedSearchAttributes(record);
}
