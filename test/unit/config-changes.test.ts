import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../../src/errors.js';
import { applyChanges, type ChangedConfig } from '../../src/image/config-changes.js';

const cases: [string, string[], ChangedConfig][] = [
  ['CMD in JSON form', ['CMD ["echo","hi"]'], { Cmd: ['echo', 'hi'] }],
  ['CMD in shell form', ['CMD echo "$HOME" && ls'], { Cmd: ['/bin/sh', '-c', 'echo "$HOME" && ls'] }],
  ['lowercase instruction, JSON with spaces', ['cmd [ "a" , "b c" ]'], { Cmd: ['a', 'b c'] }],
  ['ENTRYPOINT JSON and shell', ['ENTRYPOINT ["/bin/app"]', 'ENTRYPOINT /bin/app --flag'], { Entrypoint: ['/bin/sh', '-c', '/bin/app --flag'] }],
  ['ENTRYPOINT [] clears', ['ENTRYPOINT ["x"]', 'ENTRYPOINT []'], { Entrypoint: [] }],
  ['invalid JSON is shell form', ['CMD [oops'], { Cmd: ['/bin/sh', '-c', '[oops'] }],
  ['ENV name=value pairs with quotes and escapes', ['ENV A=1 B="two words" C=three\\ words D=\'$A\''], { Env: ['A=1', 'B=two words', 'C=three words', 'D=$A'] }],
  ['ENV legacy form keeps the rest of the line', ['ENV GREETING hello   big world'], { Env: ['GREETING=hello   big world'] }],
  ['ENV replaces a variable in place', ['ENV A=1 B=2', 'ENV A=3'], { Env: ['A=3', 'B=2'] }],
  ['ENV expands from earlier changes only', ['ENV A=x', 'ENV A=y B=$A C=${A}z D=${NOPE:-dflt} E=${A:+alt} F=${NOPE:+alt}'], { Env: ['A=y', 'B=x', 'C=xz', 'D=dflt', 'E=alt', 'F='] }],
  ['LABEL pairs, merged', ['LABEL a=1 "b c"="d e"', 'LABEL a=2'], { Labels: { a: '2', 'b c': 'd e' } }],
  ['EXPOSE ports, protocols and ranges', ['EXPOSE 80 53/udp 8000-8001/TCP'], { ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} } }],
  ['VOLUME JSON and words', ['VOLUME ["/data"]', 'VOLUME /a /b'], { Volumes: { '/data': {}, '/a': {}, '/b': {} } }],
  ['WORKDIR relative continues from the previous one', ['WORKDIR /app', 'WORKDIR src/../lib'], { WorkingDir: '/app/lib' }],
  ['WORKDIR expands variables', ['ENV BASE=/srv', 'WORKDIR $BASE/www'], { Env: ['BASE=/srv'], WorkingDir: '/srv/www' }],
  ['USER with group', ['USER app:staff'], { User: 'app:staff' }],
  ['STOPSIGNAL name or number, kept as written', ['STOPSIGNAL SIGUSR1'], { StopSignal: 'SIGUSR1' }],
  ['STOPSIGNAL number', ['STOPSIGNAL 9'], { StopSignal: '9' }],
  ['STOPSIGNAL real-time', ['STOPSIGNAL RTMIN+3'], { StopSignal: 'RTMIN+3' }],
  ['empty changes are skipped', ['', '  '], {}],
];

const failures: [string, string, RegExp][] = [
  ['an instruction import does not take', 'RUN echo hi', /^invalid --change "RUN echo hi": RUN is not a valid change command; import accepts CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR$/],
  ['an unknown instruction', 'FROBNICATE x', /FROBNICATE is not a valid change command/],
  ['no argument', 'CMD', /CMD requires at least one argument/],
  ['ENV pairs mixed with words', 'ENV A=1 B', /can't find = in "B"/],
  ['ENV legacy form without a value', 'ENV A', /ENV must have two arguments/],
  ['a blank name', 'LABEL =x', /LABEL names can not be blank/],
  ['an unterminated quote', 'ENV A="x', /unterminated double quote/],
  ['a bad port', 'EXPOSE 80/xyz', /invalid proto: xyz/],
  ['a port out of range', 'EXPOSE 70000', /invalid port range: 70000/],
  ['a bad signal', 'STOPSIGNAL SIGNOPE', /invalid signal: SIGNOPE/],
  ['an empty volume', 'VOLUME [""]', /VOLUME specified can not be an empty string/],
];

describe('applyChanges', () => {
  for (const [name, changes, expected] of cases) {
    it(name, () => assert.deepEqual(applyChanges(changes), expected));
  }

  for (const [name, change, message] of failures) {
    it(`refuses ${name} as a usage error`, () => {
      assert.throws(
        () => applyChanges([change]),
        (error: unknown) => isBerthError(error, 'usage') && message.test(error.message),
      );
    });
  }

  it('starts from a base config without changing it', () => {
    const base: ChangedConfig = { Env: ['PATH=/bin'] };
    assert.deepEqual(applyChanges(['ENV PATH=/usr/bin:$PATH'], base), { Env: ['PATH=/usr/bin:/bin'] });
    assert.deepEqual(base, { Env: ['PATH=/bin'] });
  });
});
