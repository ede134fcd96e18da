// The Go text/template engine. Expected outputs and messages are Go's (checked against
// docker 28's templates where the data allows), so that users' --format strings behave
// as they do with Docker.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BerthError } from '../../src/errors.js';
import { goMap, parseTemplate, type TemplateFunction } from '../../src/format/template.js';

process.env.TZ = 'UTC'; // Dates print in local time, as Go's do

class Container {
  constructor(
    readonly ID: string,
    private readonly labels: Record<string, string>,
  ) {}

  Label(key: string): string {
    return this.labels[key] ?? '';
  }

  get ShortID(): string {
    return this.ID.slice(0, 4);
  }

  Fail(): string {
    throw new Error('no such label');
  }

  get Broken(): string {
    throw new Error('boom');
  }
}

const data = {
  Name: 'web',
  Count: 3,
  Ratio: 0.5,
  Big: 1234567.5,
  Huge: 12345678901234567890n,
  Running: true,
  Empty: '',
  Zero: 0,
  Null: null,
  Undefined: undefined,
  List: ['a', 'b', 'c'],
  None: [],
  Numbers: [3, 1, 2],
  Labels: goMap({ 'com.example.env': 'prod', app: 'shop' }),
  Env: goMap({ B: '2', A: '1' }, ''),
  NoMap: new Map(),
  Nested: { Inner: { Value: 'deep' }, Port: 80 },
  Ports: [
    { Private: 80, Public: 8080, Type: 'tcp' },
    { Private: 53, Public: null, Type: 'udp' },
  ],
  Unsorted: { b: 2, a: 1, c: 3 },
  EmptyStruct: {},
  Container: new Container('abcdef123456', { tier: 'front' }),
  Created: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120)),
  Greet(this: { Name: string }, greeting: string, punctuation = '!'): string {
    return `${greeting} from ${this.Name}${punctuation}`;
  },
};

function render(source: string, value: unknown = data, functions?: Record<string, TemplateFunction>): string {
  return parseTemplate(source, { functions }).execute(value);
}

function table(cases: [source: string, expected: string][], value: unknown = data): void {
  for (const [source, expected] of cases) {
    it(source, () => assert.equal(render(source, value), expected));
  }
}

describe('template: actions and data', () => {
  table([
    ['plain text', 'plain text'],
    ['', ''],
    ['{{.Name}}', 'web'],
    ['<{{.Nested.Inner.Value}}>', '<deep>'],
    ['{{.Nested.Port}}', '80'],
    ['{{.Container.ID}}|{{.Container.ShortID}}', 'abcdef123456|abcd'],
    ['{{.Container.Label "tier"}}|{{.Container.Label "nope"}}', 'front|'],
    ['{{.Greet "hi"}}', 'hi from web!'],
    ['{{.Greet "hi" "?"}}', 'hi from web?'],
    ['{{"hey" | .Greet "yo"}}', 'yo from webhey'],
    ['{{.Labels.app}}', 'shop'],
    ['{{index .Labels "com.example.env"}}', 'prod'],
    ['{{.Labels.missing}}', '<no value>'],
    ['{{index .Labels "missing"}}', '<no value>'],
    ['{{index .Env "missing"}}', ''],
    ['{{.Undefined}}', '<no value>'],
    ['{{.Null}}', '<nil>'],
    ['{{.Null.Anything}}', '<no value>'],
    ['{{(index .Ports 0).Public}}', '8080'],
    ['{{$.Name}}', 'web'],
    ['{{with .Nested}}{{.Port}} {{$.Name}}{{end}}', '80 web'],
  ]);

  it('renders the data itself as dot', () => {
    assert.equal(render('[{{.}}]', 'text'), '[text]');
    assert.equal(parseTemplate('{{.}}').execute(undefined), '<no value>');
  });

  it('binds methods to their object', () => {
    class Counter {
      count = 2;
      Next(): number {
        return ++this.count;
      }
    }
    assert.equal(render('{{.Next}} {{.Next}}', new Counter()), '3 4');
  });
});

describe('template: printing values like Go', () => {
  table([
    ['{{.Count}} {{.Ratio}} {{.Big}} {{.Huge}}', '3 0.5 1.2345675e+06 12345678901234567890'],
    ['{{.Running}} {{.Empty}}|{{.Zero}}', 'true |0'],
    ['{{.List}} {{.None}} {{.Numbers}}', '[a b c] [] [3 1 2]'],
    ['{{.Labels}}', 'map[app:shop com.example.env:prod]'],
    ['{{.Env}} {{.NoMap}}', 'map[A:1 B:2] map[]'],
    ['{{.Nested}}', '{{deep} 80}'],
    ['{{.Ports}}', '[{80 8080 tcp} {53 <nil> udp}]'],
    ['{{.Unsorted}} {{.EmptyStruct}}', '{2 1 3} {}'],
    ['{{.Container}}', '{abcdef123456 {front}}'],
    ['{{.Created}}', '2024-01-02 03:04:05.12 +0000 UTC'],
    ['{{1.5}} {{-2}} {{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{.25}} {{1e-7}} {{-0.0}}', '1.5 -2 31 15 15 5 1000 0.25 1e-07 -0'],
    ["{{'a'}} {{'\\n'}} {{'\\x41'}}", '97 10 65'],
    ['{{"tab\\there"}}|{{"\\x41\\101\\u00e9\\U0001F600"}}|{{"\\xc3\\xa9"}}', 'tab\there|AAé😀|é'],
    ['{{`raw \\n {{ "x" }}`}}', 'raw \\n {{ "x" }}'],
    ['{{true}} {{false}}', 'true false'],
  ]);
});

describe('template: variables', () => {
  table([
    ['{{$x := .Name}}{{$x}}', 'web'],
    ['{{$x := 1}}{{$x = 2}}{{$x}}', '2'],
    ['{{$n := 0}}{{range .List}}{{$n = len .}}{{end}}{{$n}}', '1'],
    ['{{range $i, $v := .List}}{{$i}}={{$v}} {{end}}', '0=a 1=b 2=c '],
    ['{{range $v := .List}}{{$v}}{{end}}', 'abc'],
    ['{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}', 'app:shop;com.example.env:prod;'],
    ['{{with $p := .Nested.Port}}{{$p}}{{end}}', '80'],
    ['{{if $x := .Empty}}yes{{else}}[{{$x}}]{{end}}', '[]'],
    ['{{$x := "outer"}}{{if true}}{{$x := "inner"}}{{$x}}{{end}} {{$x}}', 'inner outer'],
  ]);
});

describe('template: pipelines', () => {
  table([
    // The piped value is the last argument.
    ['{{"a" | printf "%s-%s" "b"}}', 'b-a'],
    ['{{.Name | printf "%s!" | upper}}', 'WEB!'],
    ['{{.List | len}}', '3'],
    ['{{len (index .List 1)}}', '1'],
    ['{{printf "%s" (printf "%d" (len .List))}}', '3'],
    ['{{(.Nested).Inner.Value}}', 'deep'],
    ['{{.Name |}}', 'web'],
  ]);
});

describe('template: control structures', () => {
  table([
    ['{{if .Running}}up{{end}}', 'up'],
    ['{{if .Empty}}a{{else}}b{{end}}', 'b'],
    ['{{if eq .Count 1}}one{{else if eq .Count 3}}three{{else}}many{{end}}', 'three'],
    ['{{if .Zero}}a{{else if .Null}}b{{else if .None}}c{{else if .NoMap}}d{{else if .EmptyStruct}}e{{end}}', 'e'],
    ['{{if .Undefined}}a{{else if .Ratio}}b{{end}}', 'b'],
    ['{{with .Nested.Inner}}{{.Value}}{{end}}', 'deep'],
    ['{{with .Empty}}x{{else}}empty{{end}}', 'empty'],
    ['{{with .Empty}}x{{else with .Name}}{{.}}{{end}}', 'web'],
    ['{{range .List}}<{{.}}>{{end}}', '<a><b><c>'],
    ['{{range .None}}x{{else}}none{{end}}', 'none'],
    ['{{range .Undefined}}x{{else}}nil{{end}}', 'nil'],
    ['{{range .Env}}{{.}}{{end}}', '12'],
    ['{{range $k, $v := .Unsorted}}{{$k}}{{$v}}{{end}}', 'a1b2c3'],
    ['{{range 3}}{{.}}{{end}}', '012'],
    ['{{range .Ports}}{{.Private}}/{{.Type}} {{end}}', '80/tcp 53/udp '],
    ['{{range .List}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}', 'ac'],
    ['{{range .List}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}', 'a'],
  ]);

  it('iterates over nested ranges with the right dot', () => {
    const value = { Groups: [{ Name: 'g1', Items: ['x', 'y'] }, { Name: 'g2', Items: [] }] };
    assert.equal(render('{{range .Groups}}{{.Name}}:{{range .Items}}{{.}}{{else}}-{{end}};{{end}}', value), 'g1:xy;g2:-;');
  });
});

describe('template: comments and trim markers', () => {
  table([
    ['a{{/* a comment */}}b', 'ab'],
    ['a {{- /* trimmed */ -}} b', 'ab'],
    ['{{.Name}} \n\t {{- "x" -}} \n y', 'webxy'],
    ['{{- .Name -}}', 'web'],
    ['{{-3}}', '-3'],
    ['{{range .List -}}\n  {{.}}\n{{- end}}', 'abc'],
    ['{{.Name\n}}', 'web'],
  ]);
});

describe('template: built-in functions', () => {
  table([
    ['{{and 1 0 2}}|{{and 1 2}}|{{or 0 "" "x"}}|{{or 0 ""}}', '0|2|x|'],
    // and/or stop at the deciding argument, so the out-of-range index is never evaluated.
    ['{{or .Name (index .List 99)}}|{{and .Empty (index .List 99)}}', 'web|'],
    ['{{not .Empty}} {{not .Name}} {{not .None}}', 'true false true'],
    ['{{eq .Name "web"}} {{eq .Count 1 2 3}} {{eq .Count 1 2}} {{ne .Name "x"}}', 'true true false true'],
    ['{{eq .Null .Undefined}} {{eq .Undefined "x"}}', 'true false'],
    ['{{lt 1 2}} {{le 2 2}} {{gt 1.5 1}} {{ge "a" "b"}} {{lt "abc" "abd"}}', 'true true true false true'],
    ['{{eq .Huge 12345678901234567890}} {{lt .Count .Huge}}', 'true true'],
    ['{{len .List}} {{len .Labels}} {{len "héllo"}} {{len .Unsorted}}', '3 2 6 3'],
    ['{{index .List 2}} {{index .Ports 0 "Type"}} {{index "abc" 1}} {{index .Unsorted "b"}}', 'c tcp 98 2'],
    ['{{slice .List 1}} {{slice .List 1 2}} {{slice "hello" 1 3}} {{slice .List}}', '[b c] [b] el [a b c]'],
    // Spaces only between operands that are both not strings.
    ['{{print "a" "b" 1 2 "c" .Null 3}}', 'ab1 2c<nil> 3'],
    ['{{println "a" 1}}', 'a 1\n'],
    ['{{printf "%s|%d|%v|%q|%t|%x|%X|%%" "s" 42 .List "q\\n" true 255 "hi"}}', 's|42|[a b c]|"q\\n"|true|ff|6869|%'],
    ['{{printf "%5s|%-5s|%05d|%+d|%x|%o|%b|%c|%U" "ab" "ab" 42 5 -255 8 5 65 65}}', '   ab|ab   |00042|+5|-ff|10|101|A|U+0041'],
    ['{{printf "%.2f|%8.3f|%-8.1f|%e|%g|%G|%.3g" 3.14159 2.5 2.25 1234.5678 0.00001234 1e21 1234.5678}}', '3.14|   2.500|2.2     |1.234568e+03|1.234e-05|1E+21|1.23e+03'],
    // Go rounds the exact binary value half to even.
    ['{{printf "%.0f %.0f %.1f %.2f %.1f" 0.5 1.5 0.25 1.005 0.35}}', '0 2 0.2 1.00 0.3'],
    ['{{printf "%v|%+v|%T|%T|%T" .Nested .Nested .List .Ratio .Name}}', '{{deep} 80}|{Inner:{Value:deep} Port:80}|[]interface {}|float64|string'],
    ['{{printf "%*d|%.*s|%6.2v" 5 42 2 "abcdef" 3.14159}}', '   42|ab|   3.1'],
    ['{{printf "%q %s" .List .Labels}}', '["a" "b" "c"] map[app:shop com.example.env:prod]'],
    ['{{printf "%d %s" "x"}}|{{printf "%d" 1 2 "z"}}|{{printf "%!"}}|{{printf "abc%"}}', '%!d(string=x) %!s(MISSING)|1%!(EXTRA int=2, string=z)|%!!(MISSING)|abc%!(NOVERB)'],
    ['{{printf "%q" "a\\x01é\\u00a0\\u200b😀"}}', '"a\\x01é\\u00a0\\u200b😀"'],
  ]);
});

describe("template: Docker's functions", () => {
  table([
    ['{{json .Nested}}', '{"Inner":{"Value":"deep"},"Port":80}'],
    ['{{json .Labels}} {{json .List}} {{json .None}} {{json .Null}}', '{"app":"shop","com.example.env":"prod"} ["a","b","c"] [] null'],
    // Docker's json does not escape HTML characters.
    ['{{json "<a&b>\\t\\u2028"}}', '"<a&b>\\t\\u2028"'],
    ['{{json .Ports}}', '[{"Private":80,"Public":8080,"Type":"tcp"},{"Private":53,"Public":null,"Type":"udp"}]'],
    ['{{json .Created}} {{json .Container}} {{json .Ratio}}', '"2024-01-02T03:04:05.12Z" {"ID":"abcdef123456","labels":{"tier":"front"}} 0.5'],
    ['{{join .List ", "}}', 'a, b, c'],
    ['{{lower "HeLLo"}} {{upper "hello"}} {{upper "ßa"}} {{lower "ΑΣ"}}', 'hello HELLO ßA ασ'],
    ['{{title "hello wOrld-foo it\'s ñu_x"}}', "Hello WOrld-Foo It'S Ñu_x"],
    ['{{split "a,b,,c" ","}} {{len (split "" ",")}} {{split "ab" ""}}', '[a b  c] 1 [a b]'],
    ['{{truncate "abcdef" 3}}|{{truncate "ab" 5}}|{{truncate "ab" 2}}', 'abc|ab|ab'],
    ['[{{pad "a" 1 2}}]|[{{pad "" 3 3}}]', '[ a  ]|[]'],
    ['{{range split "x y" " "}}{{upper .}}{{end}}', 'XY'],
  ]);
});

describe('template: functions from options', () => {
  it('adds functions and lets them replace built-ins', () => {
    const functions = { double: (n: unknown) => Number(n) * 2, upper: (s: unknown) => `<${s}>` };
    assert.equal(render('{{double 21}} {{.Count | double}} {{upper "x"}}', data, functions), '42 6 <x>');
  });
});

function assertError(source: string, message: string, value: unknown = data): void {
  assert.throws(
    () => render(source, value),
    (error: unknown) => {
      assert.ok(error instanceof BerthError, 'a BerthError');
      assert.equal(error.category, 'invalid-argument');
      assert.equal(error.message, message);
      return true;
    },
  );
}

describe('template: parse errors', () => {
  const cases: [string, string][] = [
    ['{{foo}}', 'template: :1: function "foo" not defined'],
    ['{{if .Name}}x', 'template: :1: unexpected EOF'],
    ['{{end}}', 'template: :1: unexpected {{end}}'],
    ['{{else}}', 'template: :1: unexpected {{else}}'],
    ['{{if .Name}}a{{else}}b{{else}}c{{end}}', 'template: :1: expected end; found {{else}}'],
    ['{{if}}{{end}}', 'template: :1: missing value for if'],
    ['{{}}', 'template: :1: missing value for command'],
    ['{{.Name', 'template: :1: unclosed action'],
    ['{{.Name\n\n', 'template: :3: unclosed action started at :1'],
    ['a\n{{if .Name}}\n{{"x}}', 'template: :3: unterminated quoted string'],
    ['{{`x}}', 'template: :1: unterminated raw quoted string'],
    ['{{$x}}', 'template: :1: undefined variable "$x"'],
    ['{{with $x := .Name}}{{end}}{{$x}}', 'template: :1: undefined variable "$x"'],
    ['{{1.X}}', 'template: :1: bad number syntax: "1.X"'],
    ['{{08}}', 'template: :1: integer overflow: "08"'],
    ['{{"\\q"}}', 'template: :1: invalid syntax'],
    ["{{'ab'}}", "template: :1: malformed character constant: 'ab'"],
    ['{{.Name | "x"}}', 'template: :1: non executable command in pipeline stage 2'],
    ['{{.Name | | upper}}', 'template: :1: unexpected "|" in command'],
    ['{{"x".Y}}', 'template: :1: unexpected . after term "\\"x\\""'],
    ['{{)}}', 'template: :1: unexpected right paren'],
    ['{{(.Name}}', 'template: :1: unclosed left paren'],
    ['{{:}}', 'template: :1: expected :='],
    ['{{# }}', 'template: :1: unexpected "#" in command'],
    ['{{.Name = 1}}', 'template: :1: unexpected "=" in operand'],
    ['{{.Name"x"}}', "template: :1: bad character U+0022 '\"'"],
    ['{{/* c', 'template: :1: unclosed comment'],
    ['{{/* c */ }}', 'template: :1: comment ends before closing delimiter'],
    ['{{break}}', 'template: :1: {{break}} outside {{range}}'],
    ['{{range .List}}{{else}}{{continue}}{{end}}', 'template: :1: {{continue}} outside {{range}}'],
    ['{{range $a, $b, $c := .List}}{{end}}', 'template: :1: too many declarations in range'],
    ['{{define "x"}}{{end}}', 'template: :1: {{define}} is not supported'],
  ];
  for (const [source, message] of cases) it(JSON.stringify(source), () => assertError(source, message));
});

describe('template: execution errors', () => {
  const cases: [string, string][] = [
    ['{{.Nope}}', 'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type struct'],
    // Go reports a chained field at the position of its second name.
    ['x\n  {{.Name.Nope}}', 'template: :2:9: executing "" at <.Name.Nope>: can\'t evaluate field Nope in type string'],
    ['{{.Container.Nope}}', 'template: :1:12: executing "" at <.Container.Nope>: can\'t evaluate field Nope in type Container'],
    ['{{.List.Length}}', 'template: :1:7: executing "" at <.List.Length>: can\'t evaluate field Length in type []interface {}'],
    ['{{.Name.toString}}', 'template: :1:7: executing "" at <.Name.toString>: can\'t evaluate field toString in type string'],
    ['{{.Unsorted.hasOwnProperty}}', 'template: :1:11: executing "" at <.Unsorted.hasOwnProperty>: can\'t evaluate field hasOwnProperty in type struct'],
    ['{{.Name "x"}}', 'template: :1:2: executing "" at <.Name>: Name has arguments but cannot be invoked as function'],
    ['{{.Labels.app "x"}}', 'template: :1:9: executing "" at <.Labels.app>: app is not a method but has arguments'],
    ['{{.Container.Fail}}', 'template: :1:12: executing "" at <.Container.Fail>: error calling Fail: no such label'],
    ['{{.Container.Broken}}', 'template: :1:12: executing "" at <.Container.Broken>: error calling Broken: boom'],
    ['{{index .List 5}}', 'template: :1:2: executing "" at <index .List 5>: error calling index: index out of range: 5'],
    ['{{index .Undefined 1}}', 'template: :1:2: executing "" at <index .Undefined 1>: error calling index: index of untyped nil'],
    ['{{index 1 2}}', 'template: :1:2: executing "" at <index 1 2>: error calling index: can\'t index item of type int'],
    ['{{slice "abc" 2 1}}', 'template: :1:2: executing "" at <slice "abc" 2 1>: error calling slice: invalid slice index: 2 > 1'],
    ['{{len 3}}', 'template: :1:2: executing "" at <len 3>: error calling len: len of type int'],
    ['{{and}}', 'template: :1:2: executing "" at <and>: wrong number of args for and: want at least 1 got 0'],
    ['{{not 1 2}}', 'template: :1:2: executing "" at <not>: wrong number of args for not: want 1 got 2'],
    ['{{.Name | upper "x"}}', 'template: :1:10: executing "" at <upper>: wrong number of args for upper: want 1 got 2'],
    ['{{eq 1 "a"}}', 'template: :1:2: executing "" at <eq 1 "a">: error calling eq: incompatible types for comparison'],
    ['{{lt true false}}', 'template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison'],
    ['{{eq .List .List}}', 'template: :1:2: executing "" at <eq .List .List>: error calling eq: non-comparable type [a b c]: []interface {}'],
    ['{{eq 1}}', 'template: :1:2: executing "" at <eq 1>: error calling eq: missing argument for comparison'],
    ['{{upper 1}}', 'template: :1:2: executing "" at <upper 1>: wrong type for value; expected string; got int'],
    ['{{join "a" ","}}', 'template: :1:2: executing "" at <join "a" ",">: wrong type for value; expected []string; got string'],
    ['{{"a" "b"}}', 'template: :1:2: executing "" at <"a">: can\'t give argument to non-function "a"'],
    ['{{nil}}', 'template: :1:2: executing "" at <nil>: nil is not a command'],
    ['{{range .Name}}{{end}}', 'template: :1:8: executing "" at <.Name>: range can\'t iterate over web'],
    ['{{range $i, $v := 3}}{{end}}', 'template: :1:18: executing "" at <3>: can\'t use 3 to iterate over more than one variable'],
    ['{{$x = 1}}', 'template: :1:7: executing "" at <1>: undefined variable: $x'],
    ['{{"é"}}{{.Nope}}', 'template: :1:10: executing "" at <.Nope>: can\'t evaluate field Nope in type struct'],
  ];
  for (const [source, message] of cases) it(JSON.stringify(source), () => assertError(source, message));

  it('keeps what a method threw as the cause', () => {
    assert.throws(
      () => render('{{.Container.Fail}}'),
      (error: unknown) => error instanceof BerthError && error.cause instanceof Error && error.cause.message === 'no such label',
    );
  });
});
