import type { Payload } from './wire.ts';

/** A time as the operator reads it: local date and time with milliseconds. */
export function formatTime(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const date = new Date(ms);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** A duration in the largest units that keep it short: `840 ms`, `3.2 s`, `4 m 05 s`, `2 d 3 h`. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86_400)
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** How far `ms` is from `now`: `in 4.1 s`, `12 m 03 s ago`. */
export function formatRelative(ms: number, now: number): string {
  const delta = ms - now;
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/**
 * A payload as text: JSON pretty-printed, binary as base64, an encoding this UI cannot read (a
 * codec's output, e.g. encrypted) named as such. Always a string: the UI renders it as text.
 */
export function payloadText(payload: Payload | undefined): string {
  if (!payload) return '—';
  const encoding = payload.metadata.encoding;
  if (encoding === 'json/plain') {
    try {
      return JSON.stringify(JSON.parse(payload.data), null, 2);
    } catch {
      return payload.data;
    }
  }
  if (encoding === 'binary/null') return 'undefined';
  if (encoding === 'binary/plain') return `bytes (base64): ${payload.data}`;
  return `${encoding ?? 'unknown encoding'} (${payload.data.length} characters; encoded by a payload codec)`;
}

/** Several payloads (a function's arguments) as one text. */
export function payloadsText(payloads: Payload[] | undefined): string {
  if (!payloads || payloads.length === 0) return '(none)';
  return payloads.length === 1 ? payloadText(payloads[0]) : `[\n${payloads.map(payloadText).join(',\n')}\n]`;
}

/** Parses the JSON the user typed as a list of arguments: `[1, "a"]` is two, anything else is one. */
export function parseArgs(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const value: unknown = JSON.parse(trimmed);
  return Array.isArray(value) ? value : [value];
}
