// Go's text/template, for berth's --format flags. Docker users' templates run unchanged:
// the language, the built-in functions, Docker's extra functions, the printing of values
// and the error messages follow Go (and docker/cli's templates package).
//
// Data model: plain objects and class instances act as Go structs (a missing field is an
// error), Maps as Go maps (a missing key prints `<no value>`; build them with goMap),
// arrays as slices, null and undefined as nil (undefined prints `<no value>`, null `<nil>`).
// A property holding a function is a method: `{{.Label "x"}}` calls obj.Label("x") with
// `this` bound to obj. `range`, `len` and `index` also take objects as maps of their fields.
//
// Not supported: {{define}}, {{template}} and {{block}}; Go's html, js, urlquery and call
// functions; complex and hexadecimal float literals; %#v (it prints as %v). JS has one
// number type, so integral floats print as integers (1e6 → 1000000, where Go prints 1e+06).

import { BerthError, type ErrorCategory } from '../errors.js';
import {
  compareKeys,
  formatValue,
  goTypeName,
  isTrue,
  kindOf,
  mapZero,
  quoteGo,
  sortedEntries,
  sprint,
  sprintf,
  sprintln,
  structFields,
  toGoJSON,
  utf8ByteAt,
  utf8Length,
  utf8Slice,
} from './values.js';

export { goMap } from './values.js';

export type TemplateFunction = (...args: unknown[]) => unknown;

export interface TemplateOptions {
  /** Functions added to (or replacing) the built-in ones, like Go's Template.Funcs. */
  functions?: Record<string, TemplateFunction>;
}

export interface Template {
  /** Runs the template on `data` (Go's `.` and `$`); throws a BerthError on an execution error. */
  execute(data: unknown): string;
}

// Docker exits 1, not 125, when --format does not parse or fails to run.
const ERROR_CATEGORY: ErrorCategory = 'invalid-argument';

/**
 * Parses a Go template. Parse errors read like Go's, e.g.
 * `template: :1: function "foo" not defined`.
 */
export function parseTemplate(source: string, options: TemplateOptions = {}): Template {
  const functions = new Map(Object.entries(BUILTINS));
  for (const [name, call] of Object.entries(options.functions ?? {})) functions.set(name, { call });
  const root = new Parser(lex(source), functions).parse();
  return {
    execute: (data) => new Executor(source, functions).run(root, data),
  };
}

// ---------------------------------------------------------------------------
// Functions

/** Thrown by a function for a bad argument; reported without Go's "error calling f:" prefix. */
class ArgumentError extends Error {}

interface FunctionSpec {
  call: TemplateFunction;
  /** [min, max] number of arguments, checked for built-ins as Go checks their signatures. */
  arity?: readonly [number, number];
  /** The function receives thunks instead of values, so `and`/`or` can stop early as in Go. */
  lazy?: boolean;
}

type Thunk = () => unknown;

function expectString(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new ArgumentError(value == null ? 'invalid value; expected string' : `wrong type for value; expected string; got ${goTypeName(value)}`);
}

function expectInt(value: unknown): number {
  if (kindOf(value) === 'int') return Number(value);
  throw new ArgumentError(value == null ? 'invalid value; expected int' : `wrong type for value; expected int; got ${goTypeName(value)}`);
}

function expectStrings(value: unknown): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new ArgumentError(`wrong type for value; expected []string; got ${goTypeName(value)}`);
}

// Go's strings.ToUpper and friends map each code point on its own ('ß' stays 'ß').
function mapRunes(text: string, map: (rune: string) => string): string {
  let out = '';
  for (const rune of text) {
    const mapped = map(rune);
    out += [...mapped].length === 1 ? mapped : rune;
  }
  return out;
}

// strings.Title: upper-cases letters that follow a separator (anything in ASCII that is
// not a letter, digit or underscore; spaces elsewhere).
function title(text: string): string {
  let previous = ' ';
  let out = '';
  for (const rune of text) {
    const separator = previous.charCodeAt(0) < 0x80 ? !/[A-Za-z0-9_]/.test(previous) : /\s/u.test(previous);
    out += separator ? mapRunes(rune, (r) => r.toUpperCase()) : rune;
    previous = rune;
  }
  return out;
}

// and/or: the first argument whose truth is `stopAt`, else the last one.
function firstWithTruth(thunks: unknown[], stopAt: boolean): unknown {
  let value: unknown;
  for (const thunk of thunks as Thunk[]) {
    value = thunk();
    if (isTrue(value) === stopAt) break;
  }
  return value;
}

function length(item: unknown): number {
  switch (kindOf(item)) {
    case 'string':
      return utf8Length(item as string);
    case 'slice':
      return (item as unknown[]).length;
    case 'map':
      return (item as Map<unknown, unknown>).size;
    case 'struct':
      return structFields(item as object).length;
    case 'nil':
      throw new Error('len of untyped nil');
    default:
      throw new Error(`len of type ${goTypeName(item)}`);
  }
}

function indexArgument(index: unknown, limit: number): number {
  if (index == null) throw new Error('cannot index slice/array with nil');
  if (kindOf(index) !== 'int') throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  const x = Number(index);
  if (x < 0 || x > limit) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...keys: unknown[]): unknown {
  let value = item;
  for (const key of keys) {
    switch (kindOf(value)) {
      case 'nil':
        throw new Error('index of untyped nil');
      case 'slice': {
        const list = value as unknown[];
        const i = indexArgument(key, list.length - 1);
        value = list[i];
        break;
      }
      case 'string':
        value = utf8ByteAt(value as string, indexArgument(key, utf8Length(value as string) - 1));
        break;
      case 'map': {
        const map = value as Map<unknown, unknown>;
        value = map.has(key) ? map.get(key) : mapZero(map);
        break;
      }
      case 'struct':
        if (typeof key !== 'string') throw new Error(`value has type ${goTypeName(key)}; should be string`);
        value = structFields(value as object).find(([name]) => name === key)?.[1];
        break;
      default:
        throw new Error(`can't index item of type ${goTypeName(value)}`);
    }
  }
  return value;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  const kind = kindOf(item);
  if (kind === 'nil') throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  if (kind === 'string' && indexes.length === 3) throw new Error('cannot 3-index slice a string');
  if (kind !== 'string' && kind !== 'slice') throw new Error(`can't slice item of type ${goTypeName(item)}`);
  const size = kind === 'string' ? utf8Length(item as string) : (item as unknown[]).length;
  const bounds = [0, size, size];
  indexes.forEach((i, n) => (bounds[n] = indexArgument(i, size)));
  if (bounds[0] > bounds[1]) throw new Error(`invalid slice index: ${bounds[0]} > ${bounds[1]}`);
  if (bounds[1] > bounds[2]) throw new Error(`invalid slice index: ${bounds[1]} > ${bounds[2]}`);
  return kind === 'string' ? utf8Slice(item as string, bounds[0], bounds[1]) : (item as unknown[]).slice(bounds[0], bounds[1]);
}

// Go compares only basic kinds; integers and floats are one kind here, as JS cannot tell them apart.
function comparisonKind(value: unknown): string {
  const kind = kindOf(value);
  return kind === 'int' || kind === 'float' ? 'number' : kind;
}

function equal(a: unknown, b: unknown): boolean {
  const kind = comparisonKind(a);
  if (kind !== comparisonKind(b)) {
    if (a != null && b != null) throw new Error('incompatible types for comparison');
    return false;
  }
  switch (kind) {
    case 'nil':
      return true;
    case 'number':
      // Loose equality compares a bigint with a number by value.
      return (a as number) == (b as number);
    case 'slice':
    case 'map':
    case 'func':
      throw new Error(`non-comparable type ${sprintf('%s', [b])}: ${goTypeName(b)}`);
    default:
      return a === b;
  }
}

function eq(a: unknown, ...others: unknown[]): boolean {
  if (others.length === 0) throw new Error('missing argument for comparison');
  return others.some((b) => equal(a, b));
}

function lessThan(a: unknown, b: unknown): boolean {
  const kinds = [comparisonKind(a), comparisonKind(b)];
  for (const kind of kinds) if (kind !== 'number' && kind !== 'string' && kind !== 'bool') throw new Error('invalid type for comparison');
  if (kinds[0] !== kinds[1]) throw new Error('incompatible types for comparison');
  if (kinds[0] === 'bool') throw new Error('invalid type for comparison');
  return (a as string) < (b as string);
}

const AT_LEAST_ONE: readonly [number, number] = [1, Infinity];

const BUILTINS: Record<string, FunctionSpec> = {
  and: { lazy: true, arity: AT_LEAST_ONE, call: (...thunks) => firstWithTruth(thunks, false) },
  or: { lazy: true, arity: AT_LEAST_ONE, call: (...thunks) => firstWithTruth(thunks, true) },
  not: { arity: [1, 1], call: (value) => !isTrue(value) },
  len: { arity: [1, 1], call: length },
  index: { arity: AT_LEAST_ONE, call: index },
  slice: { arity: AT_LEAST_ONE, call: slice },
  print: { call: (...args) => sprint(args) },
  printf: { arity: AT_LEAST_ONE, call: (format, ...args) => sprintf(expectString(format), args) },
  println: { call: (...args) => sprintln(args) },
  eq: { arity: AT_LEAST_ONE, call: eq },
  ne: { arity: [2, 2], call: (a, b) => !equal(a, b) },
  lt: { arity: [2, 2], call: lessThan },
  le: { arity: [2, 2], call: (a, b) => lessThan(a, b) || equal(a, b) },
  gt: { arity: [2, 2], call: (a, b) => !(lessThan(a, b) || equal(a, b)) },
  ge: { arity: [2, 2], call: (a, b) => !lessThan(a, b) },
  // Docker's additions (docker/cli's templates package).
  json: {
    arity: [1, 1],
    call: (value) => {
      try {
        return toGoJSON(value, { escapeHTML: false });
      } catch {
        return ''; // Docker ignores the encoder's error and prints nothing
      }
    },
  },
  join: { arity: [2, 2], call: (list, sep) => expectStrings(list).join(expectString(sep)) },
  split: {
    arity: [2, 2],
    call: (text, sep) => (expectString(sep) === '' ? [...expectString(text)] : expectString(text).split(sep as string)),
  },
  lower: { arity: [1, 1], call: (text) => mapRunes(expectString(text), (r) => r.toLowerCase()) },
  upper: { arity: [1, 1], call: (text) => mapRunes(expectString(text), (r) => r.toUpperCase()) },
  title: { arity: [1, 1], call: (text) => title(expectString(text)) },
  pad: {
    arity: [3, 3],
    call: (text, left, right) => {
      const s = expectString(text);
      const [l, r] = [expectInt(left), expectInt(right)];
      if (l < 0 || r < 0) throw new Error('strings: negative Repeat count');
      return s === '' ? s : ' '.repeat(l) + s + ' '.repeat(r);
    },
  },
  truncate: {
    arity: [2, 2],
    call: (text, size) => {
      const s = expectString(text);
      const n = expectInt(size);
      if (utf8Length(s) < n) return s;
      if (n < 0) throw new Error(`slice bounds out of range [:${n}]`);
      return utf8Slice(s, 0, n);
    },
  },
};

// ---------------------------------------------------------------------------
// Lexer

type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'field' // .Name
  | 'variable' // $ or $name
  | 'identifier'
  | 'keyword'
  | 'bool'
  | 'nil'
  | 'dot'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare' // :=
  | 'assign' // =
  | 'punct' // any other printable ASCII character, e.g. the comma in range declarations
  | 'eof'
  | 'error';

interface Token {
  type: TokenType;
  value: string;
  pos: number;
  line: number;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block']);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
}

// Go's %#U, used in lexer messages: U+0023 '#'.
function describeRune(rune: string): string {
  const code = `U+${rune.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(rune) ? `${code} '${rune}'` : code;
}

/** Splits a template into tokens, ending with 'eof' or with the first 'error'. */
function lex(input: string): Token[] {
  const lineStarts = [0];
  for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (pos: number) => {
    let line = 1;
    while (line < lineStarts.length && lineStarts[line] <= pos) line++;
    return line;
  };

  const tokens: Token[] = [];
  const emit = (type: TokenType, start: number, end: number) =>
    tokens.push({ type, value: input.slice(start, end), pos: start, line: lineOf(start) });
  const fail = (message: string, pos: number) => {
    tokens.push({ type: 'error', value: message, pos, line: lineOf(pos) });
    return tokens;
  };
  const runeAt = (pos: number) => (pos < input.length ? String.fromCodePoint(input.codePointAt(pos)!) : undefined);
  // " -}}" closes an action and trims the spaces after it.
  const rightDelimAt = (pos: number): 'plain' | 'trim' | undefined =>
    isSpace(input[pos]) && input.startsWith('-}}', pos + 1) ? 'trim' : input.startsWith('}}', pos) ? 'plain' : undefined;
  const atTerminator = (pos: number) => {
    const c = input[pos];
    return c === undefined || isSpace(c) || '.,|:()'.includes(c) || input.startsWith('}}', pos);
  };
  const skipSpaces = (pos: number) => {
    while (isSpace(input[pos])) pos++;
    return pos;
  };

  let pos = 0;
  for (;;) {
    const open = input.indexOf('{{', pos);
    if (open < 0) {
      if (pos < input.length) emit('text', pos, input.length);
      emit('eof', input.length, input.length);
      return tokens;
    }
    // "{{- " trims the spaces before the action.
    const trimBefore = input[open + 2] === '-' && isSpace(input[open + 3]);
    let textEnd = open;
    if (trimBefore) while (textEnd > pos && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > pos) emit('text', pos, textEnd);
    pos = open + (trimBefore ? 4 : 2);

    if (input.startsWith('/*', pos)) {
      const close = input.indexOf('*/', pos + 2);
      if (close < 0) return fail('unclosed comment', pos);
      const delim = rightDelimAt(close + 2);
      if (!delim) return fail('comment ends before closing delimiter', close + 2);
      pos = close + 2 + (delim === 'trim' ? 4 : 2);
      if (delim === 'trim') pos = skipSpaces(pos);
      continue;
    }

    emit('leftDelim', open, open + 2);
    let parenDepth = 0;
    for (;;) {
      const delim = rightDelimAt(pos);
      if (delim) {
        if (parenDepth > 0) return fail('unclosed left paren', pos);
        const at = delim === 'trim' ? pos + 2 : pos;
        emit('rightDelim', at, at + 2);
        pos = delim === 'trim' ? skipSpaces(at + 2) : at + 2;
        break;
      }
      const start = pos;
      const c = runeAt(pos);
      if (c === undefined) return fail('unclosed action', pos);
      pos += c.length;
      if (isSpace(c)) {
        pos = skipSpaces(pos);
        // Leave the space of a following " -}}" to the delimiter.
        if (input.startsWith('-}}', pos)) pos--;
        if (pos > start) emit('space', start, pos);
      } else if (c === '=') {
        emit('assign', start, pos);
      } else if (c === ':') {
        if (input[pos] !== '=') return fail('expected :=', start);
        emit('declare', start, ++pos);
      } else if (c === '|') {
        emit('pipe', start, pos);
      } else if (c === '"' || c === "'") {
        for (;;) {
          const q = input[pos++];
          if (q === '\\' && input[pos] !== undefined && input[pos] !== '\n') pos++;
          else if (q === undefined || q === '\n' || q === '\\') {
            return fail(c === '"' ? 'unterminated quoted string' : 'unterminated character constant', start);
          } else if (q === c) break;
        }
        emit(c === '"' ? 'string' : 'char', start, pos);
      } else if (c === '`') {
        const close = input.indexOf('`', pos);
        if (close < 0) return fail('unterminated raw quoted string', start);
        pos = close + 1;
        emit('rawString', start, pos);
      } else if (c === '$' || (c === '.' && !/[0-9]/.test(input[pos] ?? ''))) {
        while (isAlphaNumeric(runeAt(pos))) pos += runeAt(pos)!.length;
        if (!atTerminator(pos)) return fail(`bad character ${describeRune(runeAt(pos)!)}`, start);
        emit(c === '$' ? 'variable' : pos === start + 1 ? 'dot' : 'field', start, pos);
      } else if (c === '.' || c === '+' || c === '-' || /[0-9]/.test(c)) {
        const number = scanNumber(input, start);
        pos = number.end;
        if (!number.ok) return fail(`bad number syntax: ${quoteGo(input.slice(start, pos))}`, start);
        emit('number', start, pos);
      } else if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(runeAt(pos))) pos += runeAt(pos)!.length;
        if (!atTerminator(pos)) return fail(`bad character ${describeRune(runeAt(pos)!)}`, start);
        const word = input.slice(start, pos);
        const type = KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'identifier';
        emit(type, start, pos);
      } else if (c === '(') {
        parenDepth++;
        emit('leftParen', start, pos);
      } else if (c === ')') {
        if (--parenDepth < 0) return fail('unexpected right paren', start);
        emit('rightParen', start, pos);
      } else if (c >= ' ' && c <= '~') {
        emit('punct', start, pos);
      } else {
        return fail(`unrecognized character in action: ${describeRune(c)}`, start);
      }
    }
  }
}

/** Scans a number as Go's lexer does; a letter or digit right after it makes it malformed. */
function scanNumber(input: string, start: number): { end: number; ok: boolean } {
  let pos = start;
  const accept = (chars: string) => {
    if (pos < input.length && chars.includes(input[pos])) {
      pos++;
      return true;
    }
    return false;
  };
  const acceptRun = (chars: string) => {
    while (accept(chars));
  };
  accept('+-');
  let digits = '0123456789_';
  if (accept('0')) {
    if (accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (accept('oO')) digits = '01234567_';
    else if (accept('bB')) digits = '01_';
  }
  acceptRun(digits);
  if (accept('.')) acceptRun(digits);
  if (digits.length === 11 && accept('eE')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  if (digits.length === 23 && accept('pP')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  accept('i');
  if (isAlphaNumeric(input[pos])) return { end: pos + 1, ok: false };
  return { end: pos, ok: true };
}

// ---------------------------------------------------------------------------
// Literals

const INTEGER = /^[+-]?(0[xX](_?[0-9a-fA-F])+|0[bB](_?[01])+|0[oO](_?[0-7])+|0(_?[0-7])*|[1-9](_?[0-9])*)$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** A number literal's value, or the Go parser's complaint about it. */
function parseNumber(text: string): number | bigint | string {
  if (INTEGER.test(text)) {
    const negative = text.startsWith('-');
    let digits = text.replace(/^[+-]/, '').replaceAll('_', '');
    if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
    const value = negative ? -BigInt(digits) : BigInt(digits);
    if (value >= INT64_MIN && value <= UINT64_MAX) {
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    }
  }
  const valid = /^[+-]?(\d(_?\d)*)?(\.(\d(_?\d)*)?)?([eE][+-]?\d(_?\d)*)?$/.test(text) && /\d/.test(text);
  if (!valid) return `illegal number syntax: ${quoteGo(text)}`;
  // Integer-looking text that did not fit above (or 08, which is not octal) is rejected like Go.
  if (!/[.eE]/.test(text)) return `integer overflow: ${quoteGo(text)}`;
  return Number(text.replaceAll('_', ''));
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, "'": 39, '"': 34 };

/**
 * Go's strconv.Unquote for "..." and for '...' (a code point). In strings, \x and octal
 * escapes are bytes, so the result is assembled as UTF-8; undefined means invalid syntax.
 */
function unquote(text: string): string | undefined {
  const quote = text[0];
  const body = text.slice(1, -1);
  const bytes: number[] = [];
  const pushRune = (rune: string) => bytes.push(...Buffer.from(rune, 'utf8'));
  for (let i = 0; i < body.length; ) {
    const rune = String.fromCodePoint(body.codePointAt(i)!);
    i += rune.length;
    if (rune === quote) return undefined;
    if (rune !== '\\') {
      pushRune(rune);
      continue;
    }
    const e = body[i++];
    if (e in SIMPLE_ESCAPES) {
      if ((e === "'" || e === '"') && e !== quote) return undefined;
      bytes.push(SIMPLE_ESCAPES[e]);
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const size = { x: 2, u: 4, U: 8 }[e];
      const hex = body.slice(i, i + size);
      if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex)) return undefined;
      i += size;
      const code = parseInt(hex, 16);
      if (e === 'x' && quote === '"') bytes.push(code);
      else if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
      else pushRune(String.fromCodePoint(code));
    } else if (e >= '0' && e <= '7') {
      const octal = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(octal) || parseInt(octal, 8) > 255) return undefined;
      i += 2;
      if (quote === '"') bytes.push(parseInt(octal, 8));
      else pushRune(String.fromCodePoint(parseInt(octal, 8)));
    } else {
      return undefined;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

// ---------------------------------------------------------------------------
// Syntax tree. Positions are source offsets, for error messages.

type Operand =
  | { kind: 'dot'; pos: number }
  | { kind: 'nil'; pos: number }
  | { kind: 'bool'; pos: number; value: boolean }
  | { kind: 'number'; pos: number; value: number | bigint; text: string }
  | { kind: 'string'; pos: number; value: string; text: string }
  | { kind: 'field'; pos: number; names: string[] } // .A.B
  | { kind: 'variable'; pos: number; name: string; names: string[] } // $x.A.B
  | { kind: 'identifier'; pos: number; name: string }
  | { kind: 'chain'; pos: number; node: Operand; names: string[] } // (pipeline).A.B
  | { kind: 'pipeline'; pos: number; pipe: Pipeline }; // a parenthesised pipeline

interface Command {
  kind: 'command';
  pos: number;
  args: Operand[];
}

interface Pipeline {
  kind: 'pipe';
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pos: number; pipe: Pipeline }
  | { kind: 'if' | 'with' | 'range'; pipe: Pipeline; list: Node[]; elseList?: Node[] }
  | { kind: 'break' | 'continue' };

/** What ends a list of nodes: {{end}} or {{else}}. */
type ListEnd = { kind: 'end' } | { kind: 'else' };

// Go's String() of nodes, quoted in execution errors: `at <.Name.Nope>`.
function describe(node: Operand | Command | Pipeline): string {
  switch (node.kind) {
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(node.value);
    case 'number':
    case 'string':
      return node.text;
    case 'field':
      return node.names.map((name) => `.${name}`).join('');
    case 'variable':
      return [node.name, ...node.names].join('.');
    case 'identifier':
      return node.name;
    case 'chain': {
      const base = node.node.kind === 'pipeline' ? `(${describe(node.node)})` : describe(node.node);
      return base + node.names.map((name) => `.${name}`).join('');
    }
    case 'pipeline':
      return describe(node.pipe);
    case 'command':
      return node.args.map((arg) => (arg.kind === 'pipeline' ? `(${describe(arg)})` : describe(arg))).join(' ');
    case 'pipe':
      return (node.decl.length > 0 ? `${node.decl.join(', ')} := ` : '') + node.cmds.map(describe).join(' | ');
  }
}

// ---------------------------------------------------------------------------
// Parser

const OPERAND_START = new Set<TokenType>(['bool', 'char', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen']);

class Parser {
  private index = 0;
  /** The furthest token looked at: Go reports parse errors on its line. */
  private furthest = 0;
  private readonly vars = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly functions: ReadonlyMap<string, FunctionSpec>,
  ) {}

  parse(): Node[] {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== 'eof') {
      const node = this.textOrAction();
      if (node.kind === 'end' || node.kind === 'else') this.fail(`unexpected {{${node.kind}}}`);
      list.push(node);
    }
    return list;
  }

  private peek(): Token {
    this.furthest = Math.max(this.furthest, this.index);
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.peek();
    this.index++;
    return token;
  }

  private backup(): void {
    this.index--;
  }

  private peekNonSpace(): Token {
    while (this.peek().type === 'space') this.index++;
    return this.peek();
  }

  private nextNonSpace(): Token {
    this.peekNonSpace();
    return this.next();
  }

  private fail(message: string): never {
    throw new BerthError(ERROR_CATEGORY, `template: :${this.tokens[this.furthest].line}: ${message}`);
  }

  private unexpected(token: Token, context: string): never {
    if (token.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at :${this.actionLine}`;
        if (token.value.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.fail(token.value + extra);
    }
    this.fail(`unexpected ${describeToken(token)} in ${context}`);
  }

  private expect(type: TokenType, context: string): Token {
    const token = this.nextNonSpace();
    if (token.type !== type) this.unexpected(token, context);
    return token;
  }

  private textOrAction(): Node | ListEnd {
    const token = this.nextNonSpace();
    if (token.type === 'text') return { kind: 'text', text: token.value };
    if (token.type !== 'leftDelim') this.unexpected(token, 'input');
    this.actionLine = token.line;
    try {
      return this.action();
    } finally {
      this.actionLine = 0;
    }
  }

  private action(): Node | ListEnd {
    const token = this.nextNonSpace();
    if (token.type === 'keyword') {
      switch (token.value) {
        case 'if':
        case 'with':
        case 'range':
          return this.control(token.value);
        case 'else':
          return this.elseControl();
        case 'end':
          this.expect('rightDelim', 'end');
          return { kind: 'end' };
        case 'break':
        case 'continue':
          return this.loopControl(token.value);
        default:
          this.fail(`{{${token.value}}} is not supported`);
      }
    }
    this.backup();
    const pos = this.peek().pos;
    return { kind: 'action', pos, pipe: this.pipeline('command', 'rightDelim') };
  }

  private control(kind: 'if' | 'with' | 'range'): Node {
    const varsMark = this.vars.length;
    const pipe = this.pipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    const [list, end] = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (end.kind === 'else') {
      // {{else if ...}} and {{else with ...}} nest a new control in the else branch,
      // whose {{end}} also ends this one.
      const next = this.peek();
      if (kind !== 'range' && next.type === 'keyword' && next.value === kind) {
        this.next();
        elseList = [this.control(kind)];
      } else {
        let elseEnd: ListEnd;
        [elseList, elseEnd] = this.itemList();
        if (elseEnd.kind !== 'end') this.fail(`expected end; found {{${elseEnd.kind}}}`);
      }
    }
    this.vars.length = varsMark;
    return { kind, pipe, list, elseList };
  }

  private elseControl(): ListEnd {
    const next = this.peekNonSpace();
    if (!(next.type === 'keyword' && (next.value === 'if' || next.value === 'with'))) this.expect('rightDelim', 'else');
    return { kind: 'else' };
  }

  private loopControl(kind: 'break' | 'continue'): Node {
    const token = this.nextNonSpace();
    if (token.type !== 'rightDelim') this.unexpected(token, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.fail(`{{${kind}}} outside {{range}}`);
    return { kind };
  }

  private itemList(): [Node[], ListEnd] {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== 'eof') {
      const node = this.textOrAction();
      if (node.kind === 'end' || node.kind === 'else') return [list, node];
      list.push(node);
    }
    this.fail('unexpected EOF');
  }

  private pipeline(context: string, end: TokenType): Pipeline {
    const pipe: Pipeline = { kind: 'pipe', decl: [], isAssign: false, cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) break;
      if (!OPERAND_START.has(token.type)) this.unexpected(token, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((cmd, i) => {
      if (['bool', 'dot', 'nil', 'number', 'string'].includes(cmd.args[0].kind)) this.fail(`non executable command in pipeline stage ${i + 2}`);
    });
    return pipe;
  }

  // `$x :=`, `$x =`, and in range `$i, $v :=`.
  private declarations(pipe: Pipeline, context: string): void {
    for (;;) {
      const variable = this.peekNonSpace();
      if (variable.type !== 'variable') return;
      const start = this.index;
      this.next();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        this.next();
        pipe.isAssign = next.type === 'assign';
        pipe.decl.push(variable.value);
        this.vars.push(variable.value);
        return;
      }
      if (next.type === 'punct' && next.value === ',') {
        this.next();
        pipe.decl.push(variable.value);
        this.vars.push(variable.value);
        if (context === 'range' && pipe.decl.length < 2) {
          if (['variable', 'rightDelim', 'rightParen'].includes(this.peekNonSpace().type)) continue;
          this.fail('range can only initialize variables');
        }
        this.fail(`too many declarations in ${context}`);
      }
      this.index = start; // the variable is an operand
      return;
    }
  }

  private command(): Command {
    const cmd: Command = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.type === 'space') continue;
      if (token.type === 'rightDelim' || token.type === 'rightParen') this.backup();
      else if (token.type !== 'pipe') this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.fail('empty command');
    return cmd;
  }

  private operand(): Operand | undefined {
    const term = this.term();
    if (!term || this.peek().type !== 'field') return term;
    // Go reports a chained field at the position of its first chained name.
    const pos = this.peek().pos;
    const names: string[] = [];
    while (this.peek().type === 'field') names.push(this.next().value.slice(1));
    switch (term.kind) {
      case 'field':
        return { kind: 'field', pos, names: [...term.names, ...names] };
      case 'variable':
        return { kind: 'variable', pos, name: term.name, names: [...term.names, ...names] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.fail(`unexpected . after term ${quoteGo(describe(term))}`);
      default:
        return { kind: 'chain', pos, node: term, names };
    }
  }

  private term(): Operand | undefined {
    const token = this.nextNonSpace();
    const pos = token.pos;
    switch (token.type) {
      case 'identifier':
        if (!this.functions.has(token.value)) this.fail(`function ${quoteGo(token.value)} not defined`);
        return { kind: 'identifier', pos, name: token.value };
      case 'dot':
        return { kind: 'dot', pos };
      case 'nil':
        return { kind: 'nil', pos };
      case 'variable':
        if (!this.vars.includes(token.value)) this.fail(`undefined variable ${quoteGo(token.value)}`);
        return { kind: 'variable', pos, name: token.value, names: [] };
      case 'field':
        return { kind: 'field', pos, names: [token.value.slice(1)] };
      case 'bool':
        return { kind: 'bool', pos, value: token.value === 'true' };
      case 'char': {
        const rune = unquote(token.value);
        if (!rune) this.fail('invalid syntax');
        if ([...rune].length !== 1) this.fail(`malformed character constant: ${token.value}`);
        return { kind: 'number', pos, value: rune.codePointAt(0)!, text: token.value };
      }
      case 'number': {
        const value = parseNumber(token.value);
        if (typeof value === 'string') this.fail(value);
        return { kind: 'number', pos, value, text: token.value };
      }
      case 'leftParen':
        return { kind: 'pipeline', pos, pipe: this.pipeline('parenthesized pipeline', 'rightParen') };
      case 'string':
      case 'rawString': {
        const value = token.type === 'string' ? unquote(token.value) : token.value.slice(1, -1).replaceAll('\r', '');
        if (value === undefined) this.fail('invalid syntax');
        return { kind: 'string', pos, value, text: token.value };
      }
    }
    this.backup();
    return undefined;
  }
}

function describeToken(token: Token): string {
  switch (token.type) {
    case 'eof':
      return 'EOF';
    case 'keyword':
    case 'dot':
    case 'nil':
      return `<${token.value}>`;
  }
  const runes = [...token.value];
  return runes.length > 10 ? `${quoteGo(runes.slice(0, 10).join(''))}...` : quoteGo(token.value);
}

// ---------------------------------------------------------------------------
// Execution

/** An execution error already in Go's form; not to be wrapped again as "error calling". */
class ExecError extends BerthError {}

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

/** A value piped in from the previous command, which becomes the last argument. */
type Final = { value: unknown } | undefined;

type Located = Operand | Command | { kind: 'raw'; pos: number; text: string };

class Executor {
  private readonly vars: { name: string; value: unknown }[] = [];
  private out = '';

  constructor(
    private readonly source: string,
    private readonly functions: ReadonlyMap<string, FunctionSpec>,
  ) {}

  run(root: Node[], data: unknown): string {
    this.vars.push({ name: '$', value: data });
    this.walk(data, root);
    return this.out;
  }

  private error(at: Located, message: string, cause?: unknown): ExecError {
    const before = this.source.slice(0, at.pos);
    const line = before.split('\n').length;
    const column = utf8Length(before.slice(before.lastIndexOf('\n') + 1));
    const context = at.kind === 'raw' ? at.text : describe(at);
    return new ExecError(ERROR_CATEGORY, `template: :${line}:${column}: executing "" at <${context}>: ${message}`, { cause });
  }

  private walk(dot: unknown, nodes: Node[]): void {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          this.out += node.text;
          break;
        case 'action': {
          const value = this.pipeline(dot, node.pipe);
          if (node.pipe.decl.length === 0) this.print(value, node);
          break;
        }
        case 'if':
        case 'with':
          this.ifOrWith(dot, node);
          break;
        case 'range':
          this.range(dot, node);
          break;
        case 'break':
          throw BREAK;
        case 'continue':
          throw CONTINUE;
      }
    }
  }

  private print(value: unknown, node: Extract<Node, { kind: 'action' }>): void {
    if (value === undefined) this.out += '<no value>';
    else if (typeof value === 'function') {
      const text = `{{${describe(node.pipe)}}}`;
      throw this.error({ kind: 'raw', pos: node.pos, text }, `can't print ${text} of type func`);
    } else this.out += formatValue(value);
  }

  // Variables declared inside a control structure end with it.
  private scoped(body: () => void): void {
    const mark = this.vars.length;
    try {
      body();
    } finally {
      this.vars.length = mark;
    }
  }

  private ifOrWith(dot: unknown, node: Extract<Node, { kind: 'if' | 'with' | 'range' }>): void {
    this.scoped(() => {
      const value = this.pipeline(dot, node.pipe);
      if (isTrue(value)) this.walk(node.kind === 'with' ? value : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    });
  }

  private range(dot: unknown, node: Extract<Node, { kind: 'if' | 'with' | 'range' }>): void {
    this.scoped(() => {
      const value = this.pipeline(dot, node.pipe);
      const entries = this.rangeEntries(value, node.pipe);
      // The declared variables were pushed with the collection; each iteration updates them.
      const mark = this.vars.length;
      const { decl, isAssign } = node.pipe;
      try {
        for (const [key, element] of entries) {
          if (isAssign) {
            if (decl.length > 1) {
              this.setVar(decl[0], key, lastCommand(node.pipe));
              this.setVar(decl[1], element, lastCommand(node.pipe));
            } else if (decl.length === 1) this.setVar(decl[0], element, lastCommand(node.pipe));
          } else {
            if (decl.length > 0) this.vars[mark - 1].value = element;
            if (decl.length > 1) this.vars[mark - 2].value = key;
          }
          try {
            this.walk(element, node.list);
          } catch (signal) {
            if (signal !== CONTINUE) throw signal;
          } finally {
            this.vars.length = mark;
          }
        }
      } catch (signal) {
        if (signal !== BREAK) throw signal;
        return;
      }
      if (entries.length === 0 && node.elseList) this.walk(dot, node.elseList);
    });
  }

  private rangeEntries(value: unknown, pipe: Pipeline): [unknown, unknown][] {
    switch (kindOf(value)) {
      case 'nil':
        return [];
      case 'slice':
        return (value as unknown[]).map((element, i) => [i, element]);
      case 'map':
        return sortedEntries(value as Map<unknown, unknown>);
      case 'struct':
        return structFields(value as object).sort((a, b) => compareKeys(a[0], b[0]));
      case 'int': {
        if (pipe.decl.length > 1) {
          throw this.error(lastCommand(pipe), `can't use ${formatValue(value)} to iterate over more than one variable`);
        }
        return Array.from({ length: Math.max(Number(value), 0) }, (_, i) => [i, i]);
      }
      default:
        throw this.error(lastCommand(pipe), `range can't iterate over ${formatValue(value)}`);
    }
  }

  private setVar(name: string, value: unknown, at: Located): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    throw this.error(at, `undefined variable: ${name}`);
  }

  private variable(name: string, at: Located): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    throw this.error(at, `undefined variable: ${name}`);
  }

  private pipeline(dot: unknown, pipe: Pipeline): unknown {
    let final: Final;
    for (const cmd of pipe.cmds) final = { value: this.command(dot, cmd, final) };
    const value = final!.value;
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value, lastCommand(pipe));
      else this.vars.push({ name, value });
    }
    return value;
  }

  private command(dot: unknown, cmd: Command, final: Final): unknown {
    const [first, ...args] = cmd.args;
    switch (first.kind) {
      case 'field':
        return this.fieldChain(dot, dot, first.names, first, args, final);
      case 'chain':
        return this.chain(dot, first, args, final);
      case 'identifier':
        return this.callFunction(dot, first, args, final, cmd);
      case 'variable':
        return this.variableNode(dot, first, args, final);
    }
    if (args.length > 0 || final) throw this.error(first, `can't give argument to non-function ${describe(first)}`);
    switch (first.kind) {
      case 'pipeline':
        return this.pipeline(dot, first.pipe);
      case 'dot':
        return dot;
      case 'nil':
        throw this.error(first, 'nil is not a command');
      default:
        return first.value;
    }
  }

  /** An argument's value: fields and functions in argument position take no arguments. */
  private argument(dot: unknown, node: Operand): unknown {
    switch (node.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.fieldChain(dot, dot, node.names, node, [], undefined);
      case 'variable':
        return this.variableNode(dot, node, [], undefined);
      case 'chain':
        return this.chain(dot, node, [], undefined);
      case 'identifier':
        return this.callFunction(dot, node, [], undefined, node);
      case 'pipeline':
        return this.pipeline(dot, node.pipe);
      default:
        return node.value;
    }
  }

  private variableNode(dot: unknown, node: Extract<Operand, { kind: 'variable' }>, args: Operand[], final: Final): unknown {
    const value = this.variable(node.name, node);
    if (node.names.length === 0) {
      if (args.length > 0 || final) throw this.error(node, `can't give argument to non-function ${describe(node)}`);
      return value;
    }
    return this.fieldChain(dot, value, node.names, node, args, final);
  }

  private chain(dot: unknown, node: Extract<Operand, { kind: 'chain' }>, args: Operand[], final: Final): unknown {
    if (node.node.kind === 'nil') throw this.error(node, `indirection through explicit nil in ${describe(node)}`);
    return this.fieldChain(dot, this.argument(dot, node.node), node.names, node, args, final);
  }

  // Only the last name of .A.B.C receives the command's arguments.
  private fieldChain(dot: unknown, receiver: unknown, names: string[], at: Located, args: Operand[], final: Final): unknown {
    let value = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      value = this.field(dot, value, name, at, last ? args : [], last ? final : undefined);
    });
    return value;
  }

  private field(dot: unknown, receiver: unknown, name: string, at: Located, args: Operand[], final: Final): unknown {
    const hasArgs = args.length > 0 || final !== undefined;
    switch (kindOf(receiver)) {
      case 'nil':
        return undefined;
      case 'map':
        if (hasArgs) throw this.error(at, `${name} is not a method but has arguments`);
        return (receiver as Map<unknown, unknown>).get(name);
      case 'struct': {
        if (!hasProperty(receiver as object, name)) break;
        let value: unknown;
        try {
          value = (receiver as Record<string, unknown>)[name];
        } catch (error) {
          throw this.error(at, `error calling ${name}: ${messageOf(error)}`, error);
        }
        if (typeof value === 'function') {
          return this.call(dot, name, { call: value.bind(receiver) as TemplateFunction }, args, final, at, at);
        }
        if (hasArgs) throw this.error(at, `${name} has arguments but cannot be invoked as function`);
        return value;
      }
    }
    throw this.error(at, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private callFunction(dot: unknown, node: Extract<Operand, { kind: 'identifier' }>, args: Operand[], final: Final, cmd: Located): unknown {
    return this.call(dot, node.name, this.functions.get(node.name)!, args, final, node, cmd);
  }

  /** Calls a function or method; Go reports arity at the name and failures at the call. */
  private call(dot: unknown, name: string, spec: FunctionSpec, args: Operand[], final: Final, nameAt: Located, callAt: Located): unknown {
    const count = args.length + (final ? 1 : 0);
    if (spec.arity) {
      const [min, max] = spec.arity;
      if (count < min || count > max) {
        const want = max === Infinity ? `at least ${min}` : String(min);
        throw this.error(nameAt, `wrong number of args for ${name}: want ${want} got ${count}`);
      }
    }
    const values: unknown[] = spec.lazy
      ? [...args.map((arg) => () => this.argument(dot, arg)), ...(final ? [() => final.value] : [])]
      : [...args.map((arg) => this.argument(dot, arg)), ...(final ? [final.value] : [])];
    try {
      return spec.call(...values);
    } catch (error) {
      if (error instanceof ExecError) throw error;
      if (error instanceof ArgumentError) throw this.error(callAt, error.message);
      throw this.error(callAt, `error calling ${name}: ${messageOf(error)}`, error);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Go reports errors found after a pipeline ran at the last command it evaluated.
function lastCommand(pipe: Pipeline): Command {
  return pipe.cmds[pipe.cmds.length - 1];
}

// Fields and methods of a struct: own or inherited properties, but not Object's own.
function hasProperty(object: object, name: string): boolean {
  for (let o: object | null = object; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, name)) return true;
  }
  return false;
}
