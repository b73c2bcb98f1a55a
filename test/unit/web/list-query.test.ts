import { describe, expect, it } from 'vitest';
import { parseVisibilityQuery } from '../../../sdk/runtime/visibility-query.ts';
import { composeQuery, literal } from '../../../web/app/list-query.ts';

describe("the list page's query", () => {
  it('ANDs the typed query with the status, type and time filters, in the API’s own language', () => {
    const query = composeQuery(
      { query: "Team = 'finance' OR Team = 'ops'", status: 'Failed', type: "o'saga", since: '1h' },
      10_000_000,
    );
    expect(query).toBe(
      "(Team = 'finance' OR Team = 'ops') AND ExecutionStatus = 'Failed' AND WorkflowType = 'o''saga' AND StartTime >= 6400000",
    );
    expect(() => parseVisibilityQuery(query)).not.toThrow();
  });

  it('is empty (every run) without filters, and quotes a literal so it cannot end the string', () => {
    expect(composeQuery({ query: ' ', type: '', since: '' }, 0)).toBe('');
    const tricky = "a' OR WorkflowId != 'b";
    const matches = parseVisibilityQuery(`WorkflowId = ${literal(tricky)}`);
    const run = (workflowId: string) => ({ workflowId }) as Parameters<typeof matches>[0];
    expect(matches(run(tricky))).toBe(true);
    expect(matches(run('c'))).toBe(false);
  });
});
