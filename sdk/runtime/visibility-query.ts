import type { RunSummary } from '../backend/ports.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import type { SearchAttributeValue } from '../engine/events.ts';

type Predicate = (run: RunSummary) => boolean;
type Literal = string | number | boolean;
type Comparison = '=' | '!=' | '<' | '>' | '<=' | '>=';

interface Token {
  kind: 'word' | 'string' | 'number' | 'op' | 'punct' | 'end';
  /** The source text, quotes included, so errors can show exactly what the user typed. */
  text: string;
  pos: number;
  value?: string | number;
}

/**
 * Built-in fields, matched case-sensitively as Temporal does; any other name is a custom search
 * attribute. `kind` decides which literals and operators make sense, so mistakes surface at parse
 * time instead of as a filter that silently matches nothing.
 */
type Builtin = { kind: 'string' | 'status' | 'time'; get: (run: RunSummary) => string | number | undefined };
type FieldKind = Builtin['kind'] | 'custom';
const BUILTINS: Record<string, Builtin> = {
  WorkflowType: { kind: 'string', get: (run) => run.workflowType },
  WorkflowId: { kind: 'string', get: (run) => run.workflowId },
  RunId: { kind: 'string', get: (run) => run.runId },
  TaskQueue: { kind: 'string', get: (run) => run.taskQueue },
  ExecutionStatus: { kind: 'status', get: (run) => run.status },
  StartTime: { kind: 'time', get: (run) => run.startTime },
  CloseTime: { kind: 'time', get: (run) => run.closeTime },
};

const STATUSES = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'TimedOut', 'ContinuedAsNew'];
const COMPARISONS = new Set<string>(['=', '!=', '<', '>', '<=', '>=']);
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'STARTS_WITH', 'TRUE', 'FALSE']);
const OPERATOR_LIST = '=, !=, <, >, <=, >=, STARTS_WITH, IN';

function fail(pos: number, message: string): never {
  throw new InvalidArgumentError(`Invalid list query at position ${pos}: ${message}`);
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'end of query';
  return token.kind === 'string' ? token.text : `'${token.text}'`;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, pos: i++ });
    } else if (c === "'" || c === '"') {
      i = readString(src, i, tokens);
    } else if (isDigit(c) || (c === '-' && isDigit(src[i + 1]))) {
      i++;
      while (isDigit(src[i])) i++;
      if (src[i] === '.' && isDigit(src[i + 1])) for (i++; isDigit(src[i]); ) i++;
      // `12abc` is more likely a typo than a number followed by a field.
      if (isWordChar(src[i])) fail(start, `malformed number '${src.slice(start, i + 1)}'`);
      const text = src.slice(start, i);
      tokens.push({ kind: 'number', text, pos: start, value: Number(text) });
    } else if (isWordChar(c)) {
      while (isWordChar(src[i])) i++;
      tokens.push({ kind: 'word', text: src.slice(start, i), pos: start });
    } else if ('=!<>'.includes(c)) {
      // Read the whole run of operator characters so `==` or `=<` is reported as one bad operator.
      while (i < src.length && '=!<>'.includes(src[i])) i++;
      const text = src.slice(start, i);
      if (!COMPARISONS.has(text)) fail(start, `unknown operator '${text}'; expected one of ${OPERATOR_LIST}`);
      tokens.push({ kind: 'op', text, pos: start });
    } else {
      fail(i, `unexpected character '${c}'`);
    }
  }
  tokens.push({ kind: 'end', text: '', pos: src.length });
  return tokens;
}

/** Reads a quoted string starting at `start`; returns the index after its closing quote. */
function readString(src: string, start: number, tokens: Token[]): number {
  const quote = src[start];
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length) {
      value += src[i + 1];
      i += 2;
    } else if (c === quote && src[i + 1] === quote) {
      value += quote; // SQL-style doubled quote
      i += 2;
    } else if (c === quote) {
      tokens.push({ kind: 'string', text: src.slice(start, i + 1), pos: start, value });
      return i + 1;
    } else {
      value += c;
      i++;
    }
  }
  return fail(start, `unterminated string (no closing ${quote})`);
}

/**
 * Only strings shaped like ISO dates count as dates: `Date.parse` alone accepts things like '1' or
 * 'May 3', which would turn ordinary keyword comparisons into date comparisons.
 */
function isoDate(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function compare(a: Literal, op: Comparison, b: Literal): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    const [da, db] = [isoDate(a), isoDate(b)];
    if (da !== undefined && db !== undefined) return compare(da, op, db);
  }
  // Values of different types never match; `!=` stays true so NOT-style filters keep such runs.
  if (typeof a !== typeof b) return op === '!=';
  const order = a < b ? -1 : a > b ? 1 : 0;
  return {
    '=': order === 0,
    '!=': order !== 0,
    '<': order < 0,
    '>': order > 0,
    '<=': order <= 0,
    '>=': order >= 0,
  }[op];
}

/** A missing attribute (or an open run's CloseTime) satisfies only `!=`: it equals nothing and has no order. */
function matches(value: SearchAttributeValue | undefined, op: Comparison, literal: Literal): boolean {
  if (value === undefined) return op === '!=';
  if (Array.isArray(value)) {
    // Keyword lists have no order; equality means membership, like Temporal's KeywordList.
    if (op === '=') return value.includes(literal as string);
    return op === '!=' ? !value.includes(literal as string) : false;
  }
  return compare(value, op, literal);
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parseQuery(): Predicate {
    const predicate = this.parseOr();
    const token = this.peek();
    if (this.isPunct(token, ')')) fail(token.pos, `unbalanced ')' with no matching '('`);
    if (token.kind !== 'end')
      fail(token.pos, `unexpected ${describe(token)} after a complete condition (missing AND/OR?)`);
    return predicate;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toUpperCase() === keyword;
  }

  private isPunct(token: Token, text: string): boolean {
    return token.kind === 'punct' && token.text === text;
  }

  /** Consumes the next token if it is `keyword`. */
  private accept(keyword: string): boolean {
    return this.isKeyword(this.peek(), keyword) && this.next() !== undefined;
  }

  // Precedence comes from the call chain: OR operands are AND chains, AND operands are unary terms.
  private parseOr(): Predicate {
    let left = this.parseAnd();
    while (this.accept('OR')) {
      const [l, r] = [left, this.parseAnd()];
      left = (run) => l(run) || r(run);
    }
    return left;
  }

  private parseAnd(): Predicate {
    let left = this.parseUnary();
    while (this.accept('AND')) {
      const [l, r] = [left, this.parseUnary()];
      left = (run) => l(run) && r(run);
    }
    return left;
  }

  private parseUnary(): Predicate {
    if (!this.accept('NOT')) return this.parsePrimary();
    const inner = this.parseUnary();
    return (run) => !inner(run);
  }

  private parsePrimary(): Predicate {
    const token = this.peek();
    if (!this.isPunct(token, '(')) return this.parseComparison();
    this.next();
    const inner = this.parseOr();
    const close = this.next();
    if (!this.isPunct(close, ')')) {
      fail(close.pos, `expected ')' to close the '(' at position ${token.pos} (got ${describe(close)})`);
    }
    return inner;
  }

  private parseComparison(): Predicate {
    const name = this.next();
    if (name.kind !== 'word' || KEYWORDS.has(name.text.toUpperCase())) {
      fail(name.pos, `expected a field name (got ${describe(name)})`);
    }
    const builtin = BUILTINS[name.text];
    const kind: FieldKind = builtin?.kind ?? 'custom';
    const get = builtin ? builtin.get : (run: RunSummary) => run.searchAttributes[name.text];
    const field = name.text;
    const op = this.next();
    const opName = op.kind === 'word' ? op.text.toUpperCase() : op.text;
    const negated = opName === 'NOT' && this.accept('IN');

    if (op.kind === 'op' || opName === 'IN' || negated) {
      const opText = negated ? 'NOT IN' : opName;
      if (kind === 'status' && !['=', '!=', 'IN', 'NOT IN'].includes(opText)) {
        fail(op.pos, `ExecutionStatus supports only =, !=, IN and NOT IN (got '${op.text}')`);
      }
      if (op.kind === 'op') {
        const value = this.literal(field, kind, op.text);
        return (run) => matches(get(run), op.text as Comparison, value);
      }
      const values = this.list(field, kind, opText);
      const isIn: Predicate = (run) => values.some((v) => matches(get(run), '=', v));
      return negated ? (run) => !isIn(run) : isIn;
    }
    if (opName === 'STARTS_WITH') {
      if (kind === 'status' || kind === 'time') fail(op.pos, `STARTS_WITH does not apply to ${field}`);
      const token = this.next();
      if (token.kind !== 'string')
        fail(token.pos, `STARTS_WITH needs a quoted string (got ${describe(token)})`);
      const prefix = token.value as string;
      return (run) => {
        const value = get(run);
        if (Array.isArray(value)) return value.some((v) => v.startsWith(prefix));
        return typeof value === 'string' && value.startsWith(prefix);
      };
    }
    if (op.kind === 'end') fail(op.pos, `expected an operator after '${field}' (got end of query)`);
    return fail(op.pos, `unknown operator ${describe(op)}; expected one of ${OPERATOR_LIST}`);
  }

  /** Parses `('a', 'b', ...)` after IN. */
  private list(field: string, kind: FieldKind, op: string): Literal[] {
    const open = this.next();
    if (!this.isPunct(open, '(')) fail(open.pos, `expected '(' after ${op} (got ${describe(open)})`);
    const values = [this.literal(field, kind, op)];
    for (let token = this.next(); !this.isPunct(token, ')'); token = this.next()) {
      if (!this.isPunct(token, ','))
        fail(token.pos, `expected ',' or ')' in the ${op} list (got ${describe(token)})`);
      values.push(this.literal(field, kind, op));
    }
    return values;
  }

  /** Reads one literal and converts it to what `field` holds, rejecting ones that could never match. */
  private literal(field: string, kind: FieldKind, after: string): Literal {
    const token = this.next();
    let value: Literal;
    if (token.kind === 'string' || token.kind === 'number') value = token.value!;
    else if (this.isKeyword(token, 'TRUE') || this.isKeyword(token, 'FALSE'))
      value = token.text.toUpperCase() === 'TRUE';
    else if (token.kind === 'word')
      fail(token.pos, `expected a value after '${after}' (got ${describe(token)}; quote strings)`);
    else return fail(token.pos, `expected a value after '${after}' (got ${describe(token)})`);

    if (kind === 'string' && typeof value !== 'string') {
      fail(token.pos, `${field} compares with a quoted string (got ${describe(token)})`);
    }
    if (kind === 'status') {
      const status = STATUSES.find((s) => s.toLowerCase() === String(value).toLowerCase());
      if (!status)
        fail(token.pos, `unknown ExecutionStatus ${describe(token)}; expected one of ${STATUSES.join(', ')}`);
      return status;
    }
    if (kind === 'time') {
      const ms = typeof value === 'string' ? isoDate(value) : typeof value === 'number' ? value : undefined;
      if (ms === undefined) {
        fail(token.pos, `${field} takes epoch ms or an ISO date like '2026-01-01' (got ${describe(token)})`);
      }
      return ms;
    }
    return value;
  }
}

/**
 * Compiles a visibility query (Temporal's list-filter syntax) into a predicate over run summaries.
 * Supports `=`, `!=`, `<`, `>`, `<=`, `>=`, `STARTS_WITH`, `[NOT] IN (...)`, `AND`, `OR`, `NOT` and
 * parentheses; keywords are case-insensitive and AND binds tighter than OR. Unknown field names
 * are custom search attributes. An empty query matches every run.
 *
 * @throws InvalidArgumentError naming the problem and its character position.
 * @example
 * const matches = parseVisibilityQuery(
 *   `WorkflowType = 'order' AND (ExecutionStatus = 'Failed' OR StartTime >= '2026-01-01T00:00:00Z')`,
 * );
 * const failedOrders = runs.filter(matches);
 */
export function parseVisibilityQuery(query: string | undefined): (run: RunSummary) => boolean {
  if (query === undefined || query.trim() === '') return () => true;
  return new Parser(tokenize(query)).parseQuery();
}
