import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expand } from '../../server/src/model/expand';

const v = new Map<string, string | null>([
  ['A', 'golang:1.22'],
  ['E', ''],
  ['N', null],
  ['P', 'a/b/c.tar.gz'],
]);

test('variables and their forms expand as the shell lexer does', () => {
  const cases: [string, string][] = [
    ['$A', 'golang:1.22'],
    ['${A}', 'golang:1.22'],
    ['x${A}y', 'xgolang:1.22y'],
    ['${E:-d}', 'd'],
    ['${E-d}', ''],
    ['${N:-d}', 'd'],
    ['${U:-d}', 'd'],
    ['${U-d}', 'd'],
    ['${A:+set}', 'set'],
    ['${E:+set}', ''],
    ['${E+set}', 'set'],
    ['${U+set}', ''],
    ['${P#*/}', 'b/c.tar.gz'],
    ['${P##*/}', 'c.tar.gz'],
    ['${P%.*}', 'a/b/c.tar'],
    ['${P%%.*}', 'a/b/c'],
    ['${A%:*}', 'golang'],
    ['${A#golang:}', '1.22'],
    ['$TARGETARCH', 'amd64'],
    ['${BUILDPLATFORM}', 'linux/amd64'],
    ['\\$A', '$A'],
    ['$', '$'],
    ['${', '${'],
    ['${A', '${A'],
    ['plain', 'plain'],
    ['${U:-${A}}', 'golang:1.22'],
  ];
  for (const [input, want] of cases) assert.equal(expand(input, v).value, want, input);
});

test('dynamic and undeclared are reported', () => {
  assert.deepEqual(expand('${A}-${U}', v), { value: 'golang:1.22-', dynamic: true, variables: ['A', 'U'], undeclared: ['U'] });
  assert.equal(expand('static', v).dynamic, false);
  assert.deepEqual(expand('$http_proxy', v).undeclared, []);
});

test('the escape character is honoured (backtick)', () => {
  assert.equal(expand('`$A', v, '`').value, '$A');
  assert.equal(expand('\\$A', v, '`').value, '\\golang:1.22');
});

test('pathological input ends quickly', () => {
  const long = '${' + 'x'.repeat(5000);
  assert.equal(expand(long, v).value, long);
  assert.equal(expand('${P#' + '*'.repeat(200) + '}', v).value.length >= 0, true);
});
