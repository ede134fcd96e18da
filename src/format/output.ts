// Docker CLI's output formatting, which every berth command uses for --format: a list is
// printed as `table` (the command's default columns), `table TEMPLATE`, `json` (one object
// a line) or a Go template run once per item; a single object (`version`, `info`,
// `inspect`) as `json` or a template. Tables are aligned like Go's text/tabwriter.

import { withContext } from '../errors.js';
import { parseTemplate, type Template, type TemplateFunction } from './template.js';
import { kindOf, structFields, toGoJSON } from './values.js';

export { toGoJSON };

export interface ListFormat {
  /** The command's default table, e.g. 'table {{.ID}}\t{{.Image}}' (the `table` prefix is optional). */
  defaultTable: string;
  /**
   * Column headers by field name, e.g. { ID: 'CONTAINER ID' }; other fields are headed by
   * their name in upper case. Map a field to '' for an empty header that is false in
   * {{if}}, as Docker's fields without a header are: `{{.Name}}{{if .Current}} *{{end}}`.
   */
  headers: Record<string, string>;
}

/**
 * The whole output of a list command for `--format` (undefined when not given): rows end
 * with a newline; a table starts with its header row. Errors are BerthErrors reading like
 * Docker's, e.g. `template parsing error: template: :1: function "foo" not defined`.
 */
export function formatList(items: unknown[], format: string | undefined, spec: ListFormat): string {
  if (format === 'json') return items.map((item) => `${itemJSON(item)}\n`).join('');
  const { table, source } = listTemplate(format, spec.defaultTable);
  const template = parse(source);
  const rows = items.map((item) => `${run(template, item)}\n`).join('');
  return table ? tabwrite(`${header(source, spec.headers)}\n${rows}`) : rows;
}

/** A single object for `--format`: 'json' prints it as JSON on one line, anything else is a template. */
export function formatOne(item: unknown, format: string): string {
  return `${run(parse(format === 'json' ? '{{json .}}' : format), item)}\n`;
}

// Docker's list items are contexts that encode themselves as a map of their fields: keys
// sorted, and < > & escaped as json.Marshal does (unlike the `json` template function).
function itemJSON(item: unknown): string {
  const fields = kindOf(item) === 'struct' ? new Map(structFields(item as object).filter(([, value]) => value !== undefined)) : item;
  return toGoJSON(fields, { escapeHTML: true });
}

function listTemplate(format: string | undefined, defaultTable: string): { table: boolean; source: string } {
  let table = true;
  let source: string;
  if (!format || format === 'table') source = defaultTable.replace(/^table/, '');
  else if (format.startsWith('table')) source = format.slice('table'.length);
  else {
    table = false;
    source = format;
  }
  // Docker trims spaces and lets users write a tab and a newline as the two characters \t and \n.
  source = source.replace(/^ +| +$/g, '').replace(/\\[tn]/g, (escape) => (escape === '\\t' ? '\t' : '\n'));
  return { table, source };
}

function parse(source: string, functions?: Record<string, TemplateFunction>): Template {
  try {
    return parseTemplate(source, { functions });
  } catch (error) {
    throw withContext('template parsing error', error);
  }
}

function run(template: Template, data: unknown): string {
  try {
    return template.execute(data);
  } catch (error) {
    throw withContext('template parsing error', error);
  }
}

const passThrough: TemplateFunction = (text) => {
  if (typeof text !== 'string') throw new TypeError('expected a string');
  return text;
};

// Docker's header functions: they hand the header text through unchanged, so that
// `{{upper .Names}}` is headed NAMES. `pad` is kept, to pad the header like its column.
const HEADER_FUNCTIONS: Record<string, TemplateFunction> = {
  json: passThrough,
  split: passThrough,
  join: passThrough,
  title: passThrough,
  lower: passThrough,
  upper: passThrough,
  truncate: passThrough,
};

// Docker renders the header row by running the row template on the column headers.
// Every field is a method returning its header, so `{{.Label "x"}}` has one too.
function header(source: string, headers: Record<string, string>): string {
  const column = (name: string) => () => (Object.hasOwn(headers, name) ? headers[name] : name.toUpperCase());
  const context = new Proxy(Object.create(null) as object, {
    getOwnPropertyDescriptor: (_target, name) =>
      typeof name === 'string' ? { value: column(name), configurable: true, enumerable: false, writable: false } : undefined,
    get: (_target, name) => (typeof name === 'string' ? column(name) : undefined),
  });
  try {
    return parseTemplate(source, { functions: HEADER_FUNCTIONS }).execute(context);
  } catch {
    return ''; // Docker ignores a header that fails to render, such as {{range}} over a header
  }
}

export interface TabwriterOptions {
  /** Minimal width of a column, padding included (10). */
  minWidth?: number;
  /** Width of a tab character, when padding with tabs (1). */
  tabWidth?: number;
  /** Added to the width of a column's widest cell (3). */
  padding?: number;
  /** What pads cells: spaces, or tabs (' '). */
  padChar?: ' ' | '\t';
}

/**
 * Go's text/tabwriter, with docker/cli's settings by default (minwidth 10, tabwidth 1,
 * padding 3, spaces, no flags). A cell ends with a tab; the tab-terminated cells at the
 * same index on consecutive lines form a column, as wide as its widest cell plus padding.
 * A line's text after its last tab belongs to no column and is not padded. Widths are
 * terminal columns (East Asian wide characters and emoji count 2, combining marks 0), as
 * in docker/cli's copy of tabwriter. A form feed ends every column, like a flush.
 */
export function tabwrite(text: string, options: TabwriterOptions = {}): string {
  return text
    .split('\f')
    .map((section) => alignColumns(section, options))
    .join('\n');
}

interface Cell {
  text: string;
  width: number;
}

function alignColumns(text: string, options: TabwriterOptions): string {
  const { minWidth = 10, tabWidth = 1, padding = 3, padChar = ' ' } = options;
  const lines: Cell[][] = text.split('\n').map((line) => line.split(/[\t\v]/).map((cell) => ({ text: cell, width: displayWidth(cell) })));
  // Text after the final newline is a cell only if there is some.
  const last = lines[lines.length - 1];
  if (last[last.length - 1].text === '') last.pop();

  const padCell = (textWidth: number, cellWidth: number): string => {
    if (padChar === ' ') return ' '.repeat(cellWidth - textWidth);
    if (tabWidth === 0) return '';
    const tabStop = Math.ceil(cellWidth / tabWidth) * tabWidth;
    return '\t'.repeat(Math.ceil((tabStop - textWidth) / tabWidth));
  };

  let out = '';
  const widths: number[] = []; // of the columns left of the one being laid out
  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      lines[i].forEach((cell, column) => {
        out += cell.text;
        if (column < widths.length) out += padCell(cell.width, widths[column]);
      });
      if (i + 1 < lines.length) out += '\n';
    }
  };
  // Lays out lines [from, to), which share the columns in `widths`: each run of lines
  // that have a cell in the next column makes a block, laid out recursively.
  const layout = (from: number, to: number) => {
    const column = widths.length;
    let start = from;
    for (let i = from; i < to; i++) {
      if (column >= lines[i].length - 1) continue;
      writeLines(start, i);
      start = i;
      let width = minWidth;
      for (; i < to && column < lines[i].length - 1; i++) width = Math.max(width, lines[i][column].width + padding);
      widths.push(width);
      layout(start, i);
      widths.pop();
      start = i;
    }
    writeLines(start, to);
  };
  layout(0, lines.length);
  return out;
}

// Created on first use: building a segmenter loads ICU data, which costs every command's
// startup several milliseconds though most output is plain ASCII.
let segmenter: Intl.Segmenter | undefined;

// The terminal width of text: a grapheme is as wide as its first code point that has a
// width (go-runewidth's rule).
export function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  segmenter ??= new Intl.Segmenter();
  for (const { segment } of segmenter.segment(text)) {
    for (const rune of segment) {
      const runeWidth = codePointWidth(rune);
      if (runeWidth > 0) {
        width += runeWidth;
        break;
      }
    }
  }
  return width;
}

// East Asian Wide and Fullwidth blocks; emoji are matched by their Unicode property.
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1b000, 0x1b2ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function codePointWidth(rune: string): number {
  const code = rune.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return 0;
  if (/[\p{Mn}\p{Me}\p{Cf}\p{Zl}\p{Zp}]/u.test(rune)) return 0;
  if (/\p{Emoji_Presentation}/u.test(rune) || WIDE.some(([low, high]) => code >= low && code <= high)) return 2;
  return 1;
}
