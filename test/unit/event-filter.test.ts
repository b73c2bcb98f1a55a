// The local stack's emulation of Lambda event filtering, on the router's own pattern.
import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../../local/event-filter.ts';
import { ROUTER_STREAM_FILTER } from '../../sdk/backend/definitions.ts';

const record = (eventName: string, image: Record<string, unknown>) => ({
  eventName,
  dynamodb: { NewImage: image },
});

describe("the router's stream filter", () => {
  it('passes inserted batch items without the quiet mark', () => {
    expect(matchesFilter(ROUTER_STREAM_FILTER, record('INSERT', { kind: { S: 'batch' } }))).toBe(true);
  });

  it('skips quiet batches, chunk items, and MODIFY and REMOVE records', () => {
    const quiet = { kind: { S: 'batch' }, quiet: { BOOL: true } };
    expect(matchesFilter(ROUTER_STREAM_FILTER, record('INSERT', quiet))).toBe(false);
    expect(matchesFilter(ROUTER_STREAM_FILTER, record('INSERT', { kind: { S: 'chunk' } }))).toBe(false);
    expect(matchesFilter(ROUTER_STREAM_FILTER, record('MODIFY', { kind: { S: 'batch' } }))).toBe(false);
    expect(matchesFilter(ROUTER_STREAM_FILTER, { eventName: 'REMOVE', dynamodb: {} })).toBe(false);
  });

  it('refuses a pattern it cannot evaluate rather than guessing', () => {
    expect(() => matchesFilter({ a: [{ prefix: 'x' }] }, { a: 'xy' })).toThrow(/Unsupported filter operator/);
    expect(() => matchesFilter({ a: 'x' }, { a: 'x' })).toThrow(/Unsupported filter pattern/);
  });
});
