import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** One figure as `bench/results.json` stores it. Names are stable: other tools diff them run to run. */
export interface StoredResult {
  name: string;
  value: number;
  unit: string;
}

/** An issue target a figure is judged against. */
export interface Target {
  op: '<=' | '>=';
  value: number;
}

/** A figure as a benchmark reports it: the stored fields plus what the printed table shows. */
export interface BenchResult extends StoredResult {
  target?: Target;
  /** What exactly was measured, when the name alone does not say it. */
  note?: string;
}

export function meets(result: BenchResult): boolean | undefined {
  const { target } = result;
  if (!target) return undefined;
  return target.op === '<=' ? result.value <= target.value : result.value >= target.value;
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Prints the results as a table, then the notes that say what each figure measured. */
export function printTable(
  results: readonly BenchResult[],
  write: (line: string) => void = console.log,
): void {
  const rows = results.map((result) => {
    const met = meets(result);
    return [
      result.name,
      formatValue(result.value),
      result.unit,
      result.target ? `${result.target.op} ${formatValue(result.target.value)}` : '',
      met === undefined ? '' : met ? 'met' : 'NOT MET',
    ];
  });
  const header = ['benchmark', 'value', 'unit', 'target', 'status'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  write(line(header));
  write(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) write(line(row));
  const notes = results.filter((result) => result.note);
  if (notes.length) {
    write('');
    for (const result of notes) write(`${result.name}: ${result.note}`);
  }
}

/**
 * Merges `results` into the JSON file by name: entries of the same name are replaced in place, new
 * ones appended, and every other entry (another benchmark's) is kept exactly as it was.
 */
export function mergeResults(path: string, results: readonly BenchResult[]): unknown[] {
  const merged = existsSync(path) ? readStored(path) : [];
  for (const { name, value, unit } of results) {
    const entry: StoredResult = { name, value: Number(value.toPrecision(6)), unit };
    const index = merged.findIndex((stored) => (stored as Partial<StoredResult> | null)?.name === name);
    if (index >= 0) merged[index] = entry;
    else merged.push(entry);
  }
  // Write then rename, so a reader (or a crash) never sees a half-written file.
  writeFileSync(`${path}.tmp`, `${JSON.stringify(merged, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return merged;
}

function readStored(path: string): unknown[] {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(parsed)) {
    throw new TypeError(`${path} must hold an array of { name, value, unit }; fix or delete it`);
  }
  return parsed;
}
