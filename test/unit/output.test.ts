// Docker's --format handling and table layout. The golden files under test/golden/format
// are the output of docker 28's own formatter for the same rows (`docker context ls`,
// and tables of literal cells), so alignment matches Docker's byte for byte.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BerthError } from '../../src/errors.js';
import { formatList, formatOne, tabwrite, toGoJSON, type ListFormat } from '../../src/format/output.js';
import { goMap } from '../../src/format/template.js';

process.env.TZ = 'UTC';

function golden(name: string): string {
  return readFileSync(new URL(`../golden/format/${name}`, import.meta.url), 'utf8');
}

function container(fields: Record<string, string>, labels: Record<string, string>) {
  return { ...fields, Label: (key: string) => labels[key] ?? '' };
}

const containers = [
  container(
    {
      ID: 'b2c3d4e5f6a7',
      Image: 'nginx:1.25',
      Command: '"/docker-entrypoint.…"',
      RunningFor: '2 hours ago',
      Status: 'Up 2 hours',
      Ports: '0.0.0.0:8080->80/tcp, :::8080->80/tcp',
      Names: 'web',
    },
    { 'com.example.env': 'prod' },
  ),
  container(
    {
      ID: '0123456789ab',
      Image: 'redis:7-alpine',
      Command: '"docker-entrypoint.s…"',
      RunningFor: '3 days ago',
      Status: 'Exited (0) 3 days ago',
      Ports: '',
      Names: 'cache',
    },
    {},
  ),
  container(
    {
      ID: '9f8e7d6c5b4a',
      Image: 'registry.example.com/team/busybox:latest',
      Command: '"sh"',
      RunningFor: '5 weeks ago',
      Status: 'Created',
      Ports: '',
      Names: 'a_rather_long_container_name',
    },
    { 'com.example.env': 'staging' },
  ),
];

// Written as Docker writes its defaults, with \t as two characters.
const PS: ListFormat = {
  defaultTable: 'table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}',
  headers: { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', RunningFor: 'CREATED', Status: 'STATUS', Ports: 'PORTS', Names: 'NAMES' },
};

// `docker context ls` rows, with wide characters, a combining accent, an emoji, HTML
// characters and tabs inside a cell. Fields are deliberately not in sorted order.
const contexts = [
  { Name: 'a-rather-long-context-name', Description: '', DockerEndpoint: 'tcp://10.0.0.1:2376', Current: false, Error: '' },
  { Name: 'comb', Description: 'combining é e\u0301 🐳', DockerEndpoint: 'unix:///x', Current: false, Error: '' },
  { Name: 'default', Description: 'Current DOCKER_HOST based configuration', DockerEndpoint: 'unix:///var/run/docker.sock', Current: true, Error: '' },
  { Name: 'html', Description: 'a <b> & "c"', DockerEndpoint: 'unix:///tmp/h.sock', Current: false, Error: '' },
  { Name: 'tabs', Description: 'one\ttwo\tthree', DockerEndpoint: 'unix:///x', Current: false, Error: '' },
  { Name: 'web', Description: 'Front end', DockerEndpoint: 'unix:///tmp/web.sock', Current: false, Error: '' },
  { Name: 'wide', Description: '日本語 ○ chars', DockerEndpoint: 'unix:///tmp/j.sock', Current: false, Error: '' },
];

// With real tabs, and `Current: ''` so that the header pass does not add " *".
const CONTEXTS: ListFormat = {
  defaultTable: 'table {{.Name}}{{if .Current}} *{{end}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}',
  headers: { Name: 'NAME', Current: '', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Error: 'ERROR' },
};

describe('formatList: tables', () => {
  it('prints the default table when no format, an empty one or "table" is given', () => {
    for (const format of [undefined, '', 'table']) assert.equal(formatList(containers, format, PS), golden('ps-table.txt'));
  });

  it('prints a custom table, heading fields without a header by their name in upper case', () => {
    const format = 'table {{.Names}}\\t{{.Label "com.example.env"}}\\t{{.Status}}';
    assert.equal(formatList(containers, format, PS), golden('ps-custom-table.txt'));
  });

  it('aligns wide characters, combining marks and emoji by their terminal width', () => {
    assert.equal(formatList(contexts, undefined, CONTEXTS), golden('context-ls-table.txt'));
  });

  it('prints only the header when there are no rows', () => {
    assert.equal(formatList([], undefined, PS), 'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
  });

  it('accepts a default table without the table prefix', () => {
    const spec = { defaultTable: '{{.Names}}\t{{.Status}}', headers: { Names: 'NAMES', Status: 'STATUS' } };
    assert.equal(formatList(containers.slice(0, 1), undefined, spec), 'NAMES     STATUS\nweb       Up 2 hours\n');
  });

  it("renders the header with Docker's header functions, which pass the header through", () => {
    const rows = [{ Names: 'web', ID: 'abc', Status: 'Up', Image: 'nginx' }];
    const format = 'table {{upper .Names}}\\t{{json .ID}}\\t{{truncate .Status 1}}\\t{{pad .Image 1 1}}|  ';
    assert.equal(
      formatList(rows, format, PS),
      'NAMES     CONTAINER ID   STATUS     IMAGE |\n' + 'WEB       "abc"          U          nginx |\n',
    );
  });

  it('heads a field with an empty header, false in {{if}}', () => {
    const rows = [{ Name: 'x', Current: true }];
    const spec = { defaultTable: 'table {{.Name}}{{if .Current}} *{{end}}|{{.Current}}|', headers: { Name: 'NAME', Current: '' } };
    assert.equal(formatList(rows, undefined, spec), 'NAME||\nx *|true|\n');
  });

  it('leaves the header empty when it cannot be rendered, as Docker does', () => {
    const rows = [{ Names: ['a', 'b'] }];
    assert.equal(formatList(rows, 'table {{range .Names}}{{.}}{{end}}', PS), '\nab\n');
  });
});

describe('formatList: json and templates', () => {
  it('prints one JSON object a line, keys sorted and HTML characters escaped like Docker', () => {
    assert.equal(formatList(contexts, 'json', CONTEXTS), golden('context-ls.jsonl'));
  });

  it('leaves methods and undefined fields out of the JSON', () => {
    const rows = [{ B: 1, A: undefined, Label: () => 'x', C: goMap({ z: '1', y: '2' }) }];
    assert.equal(formatList(rows, 'json', PS), '{"B":1,"C":{"y":"2","z":"1"}}\n');
  });

  it('runs a plain template once per item, turning \\t and \\n into a tab and a newline', () => {
    assert.equal(formatList(containers.slice(0, 2), '{{.Names}}\\t{{.Status}}\\n--', PS), 'web\tUp 2 hours\n--\ncache\tExited (0) 3 days ago\n--\n');
  });

  it('trims spaces around the format, like Docker', () => {
    assert.equal(formatList(containers.slice(0, 1), '  {{.Names}} {{.ID}}  ', PS), 'web b2c3d4e5f6a7\n');
    // Only a format that starts with "table" is a table.
    assert.equal(formatList(containers.slice(0, 1), ' table {{.Names}}', PS), 'table web\n');
  });

  it('passes {{json .}} through the json function, which keeps field order', () => {
    assert.equal(formatList([{ B: '<', A: 1 }], '{{json .}}', PS), '{"B":"<","A":1}\n');
  });

  it('prints nothing for no items', () => {
    assert.equal(formatList([], 'json', PS), '');
    assert.equal(formatList([], '{{.ID}}', PS), '');
  });
});

function assertFails(run: () => unknown, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof BerthError, 'a BerthError');
    assert.equal(error.category, 'invalid-argument'); // Docker exits 1
    assert.equal(error.message, message);
    return true;
  });
}

describe('formatList and formatOne: errors', () => {
  it('reports a template that does not parse like Docker', () => {
    assertFails(() => formatList(containers, '{{foo}}', PS), 'template parsing error: template: :1: function "foo" not defined');
    assertFails(() => formatList(containers, 'table {{.ID', PS), 'template parsing error: template: :1: unclosed action');
    assertFails(() => formatOne({}, '{{end}}'), 'template parsing error: template: :1: unexpected {{end}}');
  });

  it('reports a template that fails to run like Docker', () => {
    assertFails(
      () => formatList(containers, 'table {{.ID}}\\t{{.Nope}}', PS),
      'template parsing error: template: :1:10: executing "" at <.Nope>: can\'t evaluate field Nope in type struct',
    );
    assertFails(() => formatOne({ A: 1 }, '{{.A.B}}'), 'template parsing error: template: :1:4: executing "" at <.A.B>: can\'t evaluate field B in type int');
  });
});

describe('formatOne', () => {
  const version = { Client: { Version: '1.0', Os: 'linux', Note: 'a<b' } };

  it('prints JSON on one line, without escaping HTML characters like Docker', () => {
    assert.equal(formatOne(version, 'json'), '{"Client":{"Version":"1.0","Os":"linux","Note":"a<b"}}\n');
  });

  it('runs a template once, with a final newline', () => {
    assert.equal(formatOne(version, '{{.Client.Os}}/{{.Client.Version}}'), 'linux/1.0\n');
  });

  it('leaves \\t as written, as docker inspect, info and version do', () => {
    assert.equal(formatOne(version, '{{.Client.Os}}\\t'), 'linux\\t\n');
  });
});

describe('tabwrite', () => {
  it('aligns a column only over consecutive lines that have it (Go documentation example)', () => {
    assert.equal(tabwrite('aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n'), golden('tabwriter-doc-example.txt'));
  });

  it('pads empty cells, leaves lines without tabs alone and measures terminal width', () => {
    const text = 'a\tb\tc\n\tx\t\nlonger-than-ten-chars\t\tz\nno tabs here\nq\tw\n日本語\t🐳\tcafe\u0301\t.\nlast\t\n';
    assert.equal(tabwrite(text), golden('tabwriter-ragged.txt'));
  });

  it('does not pad a cell ended by a tab when nothing follows it on the last line', () => {
    assert.equal(tabwrite('x\ty\nlast\t'), 'x         y\nlast');
  });

  it('ends every column at a form feed', () => {
    assert.equal(tabwrite('a\tb\fccccccccccccc\td\n'), 'a         b\nccccccccccccc   d\n');
    assert.equal(tabwrite('a\tb\nccccccccccccc\td\n'), 'a               b\nccccccccccccc   d\n');
  });

  it('takes Go tabwriter settings', () => {
    assert.equal(tabwrite('a\tb\nabc\td\n', { minWidth: 0, padding: 1 }), 'a   b\nabc d\n');
    assert.equal(tabwrite('a\tb\nabcdef\td\n', { minWidth: 0, padding: 1, tabWidth: 4, padChar: '\t' }), 'a\t\tb\nabcdef\td\n');
  });

  it('returns empty text unchanged', () => {
    assert.equal(tabwrite(''), '');
    assert.equal(tabwrite('\n'), '\n');
  });
});

describe('toGoJSON', () => {
  it('encodes like json.Marshal', () => {
    const cases: [unknown, string][] = [
      [null, 'null'],
      [undefined, 'null'],
      [true, 'true'],
      [42, '42'],
      [0.5, '0.5'],
      [1e21, '1e+21'],
      [1e-7, '1e-7'],
      [-0, '-0'],
      [12345678901234567890n, '12345678901234567890'],
      ['<a & b>', '"\\u003ca \\u0026 b\\u003e"'],
      ['q"\\\n\t\b\f\r\u0001\u007f\u2028\u2029é😀', '"q\\"\\\\\\n\\t\\b\\f\\r\\u0001\u007f\\u2028\\u2029é😀"'],
      ['\ud800x', '"\\ufffdx"'],
      [[1, 'a', null, undefined], '[1,"a",null,null]'],
      [new Map<unknown, unknown>([['b', 1], ['a', new Map([['d', 2], ['c', 3]])]]), '{"a":{"c":3,"d":2},"b":1}'],
      [{ z: 1, a: undefined, m() {}, n: null, nested: { y: [] } }, '{"z":1,"n":null,"nested":{"y":[]}}'],
      [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 100)), '"2024-01-02T03:04:05.1Z"'],
      [{ toJSON: () => ({ via: 'toJSON' }) }, '{"via":"toJSON"}'],
    ];
    for (const [value, expected] of cases) assert.equal(toGoJSON(value), expected);
  });

  it('can leave HTML characters unescaped', () => {
    assert.equal(toGoJSON({ a: '<&>' }, { escapeHTML: false }), '{"a":"<&>"}');
  });

  it('rejects what Go cannot encode', () => {
    assert.throws(() => toGoJSON(NaN), /^Error: json: unsupported value: NaN$/);
    assert.throws(() => toGoJSON([Infinity]), /^Error: json: unsupported value: \+Inf$/);
    assert.throws(() => toGoJSON(() => 1), /^Error: json: unsupported type: func\(\)$/);
  });
});
