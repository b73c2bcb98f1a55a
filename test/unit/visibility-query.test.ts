import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../sdk/backend/ports.ts';
import { InvalidArgumentError } from '../../sdk/common/errors.ts';
import { parseVisibilityQuery } from '../../sdk/runtime/visibility-query.ts';

const JAN_1 = Date.parse('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

function run(overrides: Partial<RunSummary> & { workflowId: string }): RunSummary {
  return {
    namespace: 'default',
    runId: `${overrides.workflowId}-run`,
    workflowType: 'OrderWorkflow',
    taskQueue: 'orders',
    status: 'Running',
    startTime: JAN_1,
    historyLength: 3,
    searchAttributes: {},
    memo: {},
    ...overrides,
  };
}

const runs: RunSummary[] = [
  run({
    workflowId: 'order-1',
    status: 'Completed',
    startTime: JAN_1 - DAY,
    closeTime: JAN_1,
    searchAttributes: {
      CustomerId: 'alice',
      Amount: 120,
      Priority: 2.5,
      Express: true,
      Tags: ['vip', 'eu-west'],
      DueDate: '2026-01-10T00:00:00.000Z',
    },
  }),
  run({
    workflowId: 'order-2',
    status: 'Failed',
    startTime: JAN_1 + DAY,
    closeTime: JAN_1 + 2 * DAY,
    searchAttributes: {
      CustomerId: 'bob',
      Amount: 40,
      Express: false,
      Tags: ['eu-central'],
      DueDate: '2026-02-01',
    },
  }),
  run({
    workflowId: 'refund-1',
    workflowType: 'RefundWorkflow',
    taskQueue: 'refunds',
    startTime: JAN_1 + 3 * DAY,
    searchAttributes: { CustomerId: "o'brien", Amount: -5 },
  }),
  run({ workflowId: 'ship-1', workflowType: 'ShipWorkflow', status: 'TimedOut', taskQueue: 'shipping' }),
];

/** The workflow ids of the runs a query matches, in fixture order. */
function ids(query: string | undefined): string[] {
  const matches = parseVisibilityQuery(query);
  return runs.filter(matches).map((r) => r.workflowId);
}

function parseError(query: string): InvalidArgumentError {
  try {
    parseVisibilityQuery(query);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
}

describe('parseVisibilityQuery', () => {
  describe('empty queries', () => {
    it('matches every run when the query is undefined, empty or only whitespace', () => {
      const all = ['order-1', 'order-2', 'refund-1', 'ship-1'];
      expect(ids(undefined)).toEqual(all);
      expect(ids('')).toEqual(all);
      expect(ids('  \n\t ')).toEqual(all);
    });
  });

  describe('built-in fields', () => {
    it('filters by WorkflowType with = and !=', () => {
      expect(ids(`WorkflowType = 'OrderWorkflow'`)).toEqual(['order-1', 'order-2']);
      expect(ids(`WorkflowType != 'OrderWorkflow'`)).toEqual(['refund-1', 'ship-1']);
    });

    it('filters by WorkflowId, RunId and TaskQueue', () => {
      expect(ids(`WorkflowId = "order-2"`)).toEqual(['order-2']);
      expect(ids(`RunId = 'refund-1-run'`)).toEqual(['refund-1']);
      expect(ids(`TaskQueue = 'shipping'`)).toEqual(['ship-1']);
    });

    it('compares built-in strings lexicographically with ordering operators', () => {
      expect(ids(`WorkflowId < 'refund'`)).toEqual(['order-1', 'order-2']);
      expect(ids(`WorkflowId >= 'refund-1'`)).toEqual(['refund-1', 'ship-1']);
    });

    it('filters by ExecutionStatus, accepting status names in any case', () => {
      expect(ids(`ExecutionStatus = 'Running'`)).toEqual(['refund-1']);
      expect(ids(`ExecutionStatus = 'timedout'`)).toEqual(['ship-1']);
      expect(ids(`ExecutionStatus != 'Running'`)).toEqual(['order-1', 'order-2', 'ship-1']);
    });
  });

  describe('every comparison operator', () => {
    it.each([
      ['=', ['order-2']],
      ['!=', ['order-1', 'refund-1', 'ship-1']],
      ['<', ['refund-1']],
      ['>', ['order-1']],
      ['<=', ['order-2', 'refund-1']],
      ['>=', ['order-1', 'order-2']],
    ])('applies %s to a numeric custom attribute', (op, expected) => {
      expect(ids(`Amount ${op} 40`)).toEqual(expected);
    });
  });

  describe('time fields', () => {
    it('compares StartTime with an ISO date literal', () => {
      expect(ids(`StartTime > '2026-01-01T00:00:00Z'`)).toEqual(['order-2', 'refund-1']);
      expect(ids(`StartTime >= '2026-01-01T00:00:00Z'`)).toEqual(['order-2', 'refund-1', 'ship-1']);
      expect(ids(`StartTime < '2026-01-01'`)).toEqual(['order-1']);
    });

    it('compares StartTime with epoch milliseconds', () => {
      expect(ids(`StartTime = ${JAN_1}`)).toEqual(['ship-1']);
      expect(ids(`StartTime <= ${JAN_1 - DAY}`)).toEqual(['order-1']);
    });

    it('treats the CloseTime of an open run as missing, so only != matches it', () => {
      expect(ids(`CloseTime <= '2026-01-05T00:00:00Z'`)).toEqual(['order-1', 'order-2']);
      expect(ids(`CloseTime != ${JAN_1}`)).toEqual(['order-2', 'refund-1', 'ship-1']);
    });

    it('selects a half-open date range with AND, excluding a run that starts on the upper bound', () => {
      const query = `StartTime >= '2025-12-31T00:00:00Z' AND StartTime < '2026-01-02T00:00:00Z'`;
      expect(ids(query)).toEqual(['order-1', 'ship-1']);
    });
  });

  describe('custom search attributes', () => {
    it('compares string attributes, honouring escaped and doubled quotes', () => {
      expect(ids(`CustomerId = 'alice'`)).toEqual(['order-1']);
      expect(ids(`CustomerId = 'o\\'brien'`)).toEqual(['refund-1']);
      expect(ids(`CustomerId = 'o''brien'`)).toEqual(['refund-1']);
      expect(ids(`CustomerId > "alice"`)).toEqual(['order-2', 'refund-1']);
    });

    it('compares number attributes, including floats and negative literals', () => {
      expect(ids('Priority = 2.5')).toEqual(['order-1']);
      expect(ids('Amount < 0')).toEqual(['refund-1']);
      expect(ids('Amount = -5')).toEqual(['refund-1']);
    });

    it('compares boolean attributes with case-insensitive true and false', () => {
      expect(ids('Express = true')).toEqual(['order-1']);
      expect(ids('Express = FALSE')).toEqual(['order-2']);
    });

    it('compares ISO date strings as dates, whatever their precision', () => {
      expect(ids(`DueDate = '2026-01-10T00:00:00Z'`)).toEqual(['order-1']);
      expect(ids(`DueDate > '2026-01-15T00:00:00Z'`)).toEqual(['order-2']);
    });

    it('treats = on a keyword list as contains and != as does not contain', () => {
      expect(ids(`Tags = 'vip'`)).toEqual(['order-1']);
      expect(ids(`Tags = 'eu-central'`)).toEqual(['order-2']);
      expect(ids(`Tags != 'vip'`)).toEqual(['order-2', 'refund-1', 'ship-1']);
    });

    it('never matches a keyword list with an ordering operator', () => {
      expect(ids(`Tags > 'a'`)).toEqual([]);
    });

    it('matches a missing attribute only with !=', () => {
      expect(ids(`Express = true`)).not.toContain('ship-1');
      expect(ids(`Express < true`)).not.toContain('ship-1');
      expect(ids(`Express != true`)).toEqual(['order-2', 'refund-1', 'ship-1']);
    });

    it('does not match values of a different type except with !=', () => {
      expect(ids(`Amount = '40'`)).toEqual([]);
      expect(ids(`CustomerId != 3`)).toEqual(['order-1', 'order-2', 'refund-1', 'ship-1']);
    });
  });

  describe('STARTS_WITH', () => {
    it('matches a prefix of a built-in string field', () => {
      expect(ids(`WorkflowId STARTS_WITH 'order-'`)).toEqual(['order-1', 'order-2']);
    });

    it('matches a prefix of any element of a keyword list', () => {
      expect(ids(`Tags starts_with 'eu-'`)).toEqual(['order-1', 'order-2']);
    });

    it('never matches a missing or non-string attribute', () => {
      expect(ids(`Amount STARTS_WITH '4'`)).toEqual([]);
      expect(ids(`Nope STARTS_WITH ''`)).toEqual([]);
    });
  });

  describe('IN and NOT IN', () => {
    it('matches any of the listed values', () => {
      expect(ids(`ExecutionStatus IN ('Failed', 'TimedOut')`)).toEqual(['order-2', 'ship-1']);
      expect(ids(`Amount IN (40, -5)`)).toEqual(['order-2', 'refund-1']);
    });

    it('treats IN on a keyword list as contains any', () => {
      expect(ids(`Tags IN ('vip', 'eu-central')`)).toEqual(['order-1', 'order-2']);
    });

    it('negates the list with NOT IN', () => {
      expect(ids(`WorkflowType NOT IN ('OrderWorkflow')`)).toEqual(['refund-1', 'ship-1']);
    });
  });

  describe('boolean logic', () => {
    it('requires both sides with AND and either side with OR', () => {
      expect(ids(`WorkflowType = 'OrderWorkflow' AND Amount > 50`)).toEqual(['order-1']);
      expect(ids(`Amount > 50 OR TaskQueue = 'shipping'`)).toEqual(['order-1', 'ship-1']);
    });

    it('binds AND tighter than OR', () => {
      const query = `TaskQueue = 'shipping' OR WorkflowType = 'OrderWorkflow' AND Amount < 50`;
      expect(ids(query)).toEqual(['order-2', 'ship-1']);
    });

    it('lets parentheses override precedence', () => {
      const query = `(TaskQueue = 'shipping' OR WorkflowType = 'OrderWorkflow') AND Amount < 50`;
      expect(ids(query)).toEqual(['order-2']);
    });

    it('negates a condition or a group with NOT', () => {
      expect(ids(`NOT WorkflowType = 'OrderWorkflow'`)).toEqual(['refund-1', 'ship-1']);
      expect(ids(`NOT (Amount > 0 OR ExecutionStatus = 'TimedOut')`)).toEqual(['refund-1']);
    });

    it('accepts keywords in any case and nested parentheses', () => {
      expect(ids(`((workflowid = 'x') or (Amount >= 120)) and not (Express = false)`)).toEqual(['order-1']);
    });
  });

  describe('bad queries', () => {
    it.each([
      ['WorkflowType =', 'position 14: expected a value after', 'got end of query'],
      [`WorkflowType == 'x'`, 'position 13: unknown operator', "'=='"],
      [`WorkflowType LIKE 'x'`, 'position 13', "unknown operator 'LIKE'"],
      [`WorkflowType = 'abc`, 'position 15: unterminated string', 'no closing'],
      [`(WorkflowType = 'a'`, "expected ')' to close the '(' at position 0", 'got end of query'],
      [`WorkflowType = 'a')`, 'position 18', "unbalanced ')'"],
      [`WorkflowType = 'a' garbage`, 'position 19', "unexpected 'garbage'"],
      [`ExecutionStatus = 'Done'`, "unknown ExecutionStatus 'Done'", 'Running, Completed, Failed, Canceled'],
      [`StartTime > 'yesterday'`, 'StartTime takes epoch ms or an ISO date', "'yesterday'"],
      [`WorkflowType = OrderWorkflow`, "got 'OrderWorkflow'", 'quote strings'],
      [`WorkflowId = 42`, 'WorkflowId compares with a quoted string', "'42'"],
      [`AND = 1`, 'position 0: expected a field name', "'AND'"],
      [`Amount = 12abc`, "malformed number '12a'", 'position 9'],
      [`WorkflowId = 'a' # 1`, "unexpected character '#'", 'position 17'],
      [`ExecutionStatus > 'Running'`, 'ExecutionStatus supports only', "'>'"],
      [`StartTime STARTS_WITH '2026'`, 'STARTS_WITH does not apply to StartTime', 'position 10'],
      [`WorkflowId STARTS_WITH 5`, 'STARTS_WITH needs a quoted string', "'5'"],
      [`Tags IN ('a' 'b')`, "expected ',' or ')' in the IN list", "got 'b'"],
      [`Amount`, "expected an operator after 'Amount'", 'got end of query'],
      [`WorkflowType = 'a' AND`, 'position 22: expected a field name', 'got end of query'],
    ])('rejects %s', (query, fragment, detail) => {
      const error = parseError(query);
      expect(error.message).toMatch(/^Invalid list query at position \d+: /);
      expect(error.message).toContain(fragment);
      expect(error.message).toContain(detail);
    });

    it('reports errors with the InvalidArgument code so the API can map them', () => {
      expect(parseError('Amount >').code).toBe('InvalidArgument');
    });
  });
});
