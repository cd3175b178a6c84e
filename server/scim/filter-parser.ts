import { invalidFilter } from './scim-error';

/**
 * SCIM filters (RFC 7644 §3.4.2.2) parsed into a small AST. Translation to SQL lives in
 * filter-to-sql.ts; nothing here knows about attributes or tables.
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *   valuePath = attrPath "[" valFilter "]"
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *   attrPath  = [URI ":"] ATTRNAME *1subAttr
 *
 * Operators, keywords and the literals true/false/null are case-insensitive; attribute names
 * are kept as written (resolving them is the mapping's job, also case-insensitively).
 * `attr[valFilter].sub op value`, which PATCH paths allow and several clients send as a filter,
 * is accepted and read as `attr[valFilter and sub op value]`.
 */

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type ScimValue = string | number | boolean | null;

export interface AttrPath {
  /** The schema URN before the attribute name, when the path is fully qualified. */
  schema?: string;
  attribute: string;
  subAttribute?: string;
}

export type ScimFilter =
  | { op: CompareOp; path: AttrPath; value: ScimValue }
  | { op: 'pr'; path: AttrPath }
  | { op: 'and' | 'or'; left: ScimFilter; right: ScimFilter }
  | { op: 'not'; filter: ScimFilter }
  | { op: 'valuePath'; path: AttrPath; filter: ScimFilter };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

/** Bounds that keep a hostile filter from exhausting the stack or the engine's bind parameters. */
export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_DEPTH = 32;
export const MAX_FILTER_TERMS = 100;

type Token =
  | { kind: '(' | ')' | '[' | ']'; pos: number }
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'sub'; text: string; pos: number }
  | { kind: 'value'; value: string | number; raw: string; pos: number }
  | { kind: 'end'; pos: number };

const NAME = '[A-Za-z][A-Za-z0-9_-]*';
const ATTR_PATH = new RegExp(`^(?:(.+):)?(${NAME})(?:\\.(${NAME}))?$`);
const WORD = /[A-Za-z][A-Za-z0-9_:.-]*/y;
const SUB = new RegExp(`\\.(${NAME})`, 'y');
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// A JSON string: no raw control characters, only JSON's escapes.
// eslint-disable-next-line no-control-regex -- excluding raw control characters is the point
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SPACE = /[ \t\r\n]+/y;

function fail(pos: number, message: string): never {
  throw invalidFilter(`Invalid filter at position ${pos + 1}: ${message}`);
}

function match(re: RegExp, input: string, pos: number): string | undefined {
  re.lastIndex = pos;
  return re.exec(input)?.[0];
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < input.length) {
    const ch = input[pos];
    const space = match(SPACE, input, pos);
    if (space) {
      pos += space.length;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === '[' || ch === ']') {
      tokens.push({ kind: ch, pos });
      pos += 1;
      continue;
    }
    if (ch === '.' && tokens.at(-1)?.kind === ']') {
      const sub = match(SUB, input, pos);
      if (!sub) fail(pos, 'expected a sub-attribute name after "]."');
      tokens.push({ kind: 'sub', text: sub.slice(1), pos });
      pos += sub.length;
      continue;
    }
    if (ch === '"') {
      const raw = match(STRING, input, pos);
      if (!raw) fail(pos, 'unterminated or malformed string');
      tokens.push({ kind: 'value', value: JSON.parse(raw) as string, raw, pos });
      pos += raw.length;
      continue;
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const raw = match(NUMBER, input, pos);
      if (!raw || !Number.isFinite(Number(raw))) fail(pos, 'malformed number');
      tokens.push({ kind: 'value', value: Number(raw), raw, pos });
      pos += raw.length;
      continue;
    }
    const word = match(WORD, input, pos);
    if (!word) fail(pos, `unexpected character ${JSON.stringify(ch)}`);
    tokens.push({ kind: 'word', text: word, pos });
    pos += word.length;
  }
  tokens.push({ kind: 'end', pos: input.length });
  return tokens;
}

const describe = (t: Token) =>
  t.kind === 'end' ? 'end of filter' : t.kind === 'word' || t.kind === 'sub' ? `"${t.text}"` : t.kind === 'value' ? t.raw : `"${t.kind}"`;

class Parser {
  private i = 0;
  private depth = 0;
  private terms = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i += 1;
    return t;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }

  private expect(kind: ')' | ']', what: string) {
    const t = this.next();
    if (t.kind !== kind) fail(t.pos, `expected "${kind}" ${what}, found ${describe(t)}`);
  }

  parse(): ScimFilter {
    const filter = this.parseOr(false);
    const t = this.peek();
    if (t.kind !== 'end') fail(t.pos, `expected "and", "or" or the end of the filter, found ${describe(t)}`);
    return filter;
  }

  // or binds loosest, then and, then not (RFC 7644 §3.4.2.2, table 5).
  private parseOr(inValuePath: boolean): ScimFilter {
    let left = this.parseAnd(inValuePath);
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { op: 'or', left, right: this.parseAnd(inValuePath) };
    }
    return left;
  }

  private parseAnd(inValuePath: boolean): ScimFilter {
    let left = this.parseFactor(inValuePath);
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      left = { op: 'and', left, right: this.parseFactor(inValuePath) };
    }
    return left;
  }

  private parseFactor(inValuePath: boolean): ScimFilter {
    const t = this.peek();
    // "not" is only an operator in front of a parenthesis, as the grammar has it; otherwise it
    // can still be an attribute named "not".
    if (this.isWord(t, 'not') && this.peek(1).kind === '(') {
      this.next();
      return { op: 'not', filter: this.parseGroup(inValuePath) };
    }
    const after = this.peek(1);
    if (this.isWord(t, 'not') && after.kind === 'word' && !COMPARE_OPS.has(after.text.toLowerCase()) && after.text.toLowerCase() !== 'pr') {
      fail(after.pos, '"not" must be followed by a parenthesised filter');
    }
    if (t.kind === '(') return this.parseGroup(inValuePath);
    return this.parseAttrExp(inValuePath);
  }

  private parseGroup(inValuePath: boolean): ScimFilter {
    const open = this.next();
    if (open.kind !== '(') fail(open.pos, `expected "(", found ${describe(open)}`);
    if (++this.depth > MAX_FILTER_DEPTH) fail(open.pos, `filters may nest at most ${MAX_FILTER_DEPTH} levels deep`);
    const inner = this.parseOr(inValuePath);
    this.expect(')', 'to close the parenthesis');
    this.depth -= 1;
    return inner;
  }

  private parseAttrExp(inValuePath: boolean): ScimFilter {
    const t = this.next();
    if (t.kind !== 'word') fail(t.pos, `expected an attribute name, found ${describe(t)}`);
    const path = parseAttrPath(t.text, t.pos);
    if (++this.terms > MAX_FILTER_TERMS) fail(t.pos, `filters may have at most ${MAX_FILTER_TERMS} comparisons`);

    if (this.peek().kind === '[') {
      const open = this.next();
      if (inValuePath) fail(open.pos, 'value filters cannot be nested');
      if (path.subAttribute) fail(open.pos, 'a value filter applies to a complex attribute, not to a sub-attribute');
      if (++this.depth > MAX_FILTER_DEPTH) fail(open.pos, `filters may nest at most ${MAX_FILTER_DEPTH} levels deep`);
      let filter = this.parseOr(true);
      this.expect(']', 'to close the value filter');
      this.depth -= 1;
      const sub = this.peek();
      if (sub.kind === 'sub') {
        this.next();
        filter = { op: 'and', left: filter, right: this.parseOperation({ attribute: sub.text }) };
      }
      return { op: 'valuePath', path, filter };
    }
    return this.parseOperation(path);
  }

  private parseOperation(path: AttrPath): ScimFilter {
    const op = this.next();
    const name = op.kind === 'word' ? op.text.toLowerCase() : '';
    if (name === 'pr') return { op: 'pr', path };
    if (!COMPARE_OPS.has(name)) {
      fail(op.pos, `expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after ${formatPath(path)}, found ${describe(op)}`);
    }
    return { op: name as CompareOp, path, value: this.parseValue() };
  }

  private parseValue(): ScimValue {
    const t = this.next();
    if (t.kind === 'value') return t.value;
    if (t.kind === 'word') {
      const literal = t.text.toLowerCase();
      if (literal === 'true') return true;
      if (literal === 'false') return false;
      if (literal === 'null') return null;
    }
    fail(t.pos, `expected a value (a quoted string, a number, true, false or null), found ${describe(t)}`);
  }
}

function parseAttrPath(text: string, pos: number): AttrPath {
  const m = ATTR_PATH.exec(text);
  if (!m) fail(pos, `"${text}" is not a valid attribute path`);
  const [, schema, attribute, subAttribute] = m;
  return { ...(schema !== undefined ? { schema } : {}), attribute, ...(subAttribute !== undefined ? { subAttribute } : {}) };
}

export function formatPath(p: AttrPath): string {
  return `${p.schema ? `${p.schema}:` : ''}${p.attribute}${p.subAttribute ? `.${p.subAttribute}` : ''}`;
}

/** Parses a filter or throws a 400 with scimType invalidFilter that says where and why. */
export function parseScimFilter(input: string): ScimFilter {
  if (typeof input !== 'string' || input.trim() === '') throw invalidFilter('The filter is empty');
  if (input.length > MAX_FILTER_LENGTH) throw invalidFilter(`The filter is longer than ${MAX_FILTER_LENGTH} characters`);
  return new Parser(tokenize(input)).parse();
}

/** The canonical text of a filter: every group parenthesised, so parsing it gives the same AST. */
export function stringifyScimFilter(f: ScimFilter): string {
  switch (f.op) {
    case 'and':
    case 'or':
      return `(${stringifyScimFilter(f.left)}) ${f.op} (${stringifyScimFilter(f.right)})`;
    case 'not':
      return `not (${stringifyScimFilter(f.filter)})`;
    case 'valuePath':
      return `${formatPath(f.path)}[${stringifyScimFilter(f.filter)}]`;
    case 'pr':
      return `${formatPath(f.path)} pr`;
    default:
      return `${formatPath(f.path)} ${f.op} ${JSON.stringify(f.value)}`;
  }
}
