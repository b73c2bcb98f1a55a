import type { Measurement } from './converter-workflows.ts';

export async function describeValue(value: Measurement): Promise<string> {
  const kinds = [value.pattern instanceof RegExp, Number.isNaN(value.reading), value.takenAt instanceof Date];
  return `${value.pattern.source}/${value.pattern.flags} ${kinds.join(' ')}`;
}
