/**
 * Copy Build Command quoting, the only place a command line is quoted. POSIX
 * quoting is checked by round trips through the real sh and bash: the shell
 * must hand the program exactly the argv we started from.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { quoteCmd, quoteCommandLine, quoteFish, quotePosix, quotePowerShell, quoteWindowsArg, shellKindOf } from '../../client/src/builds/quote';

/** The hostile values of build-argv.test.ts. */
const HOSTILE = [
  'with space',
  "it's",
  '"double"',
  '$HOME',
  '${PATH}',
  'a;rm -rf /',
  '`id`',
  '$(id)',
  '-leading-dash',
  '--target',
  'ünïcödé',
  '日本語',
  'a|b&c>d<e',
  '*',
  '~',
  'back\\slash',
  '!bang',
  '%PATH%',
  '#hash',
  'tab\there',
  '=x',
  "'",
  '',
];
const MORE = ['plain', 'a/b:c@d+e,f=g.h-i_j', 'multi\nline', 'trailing\\', 'x\'y"z', '--%', '@splat', 'a,b', '‘curly’', '\\"', 'C:\\Program Files\\docker.exe'];
const ALL = [...HOSTILE, ...MORE];

/** What a POSIX shell gives a program for `line`: the program prints its argv NUL-separated. */
function throughShell(shell: string, line: string): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8', env: { HOME: '/home/nobody', PATH: '/usr/bin:/bin' } });
  return out.split('\0').slice(0, -1);
}

for (const shell of ['/bin/sh', '/bin/bash', '/usr/bin/zsh']) {
  test(`POSIX quoting round-trips through ${shell}`, { skip: !existsSync(shell) && `${shell} is not installed` }, () => {
    for (const a of ALL) assert.deepEqual(throughShell(shell, quotePosix(a)), [a], JSON.stringify(a));
    assert.deepEqual(throughShell(shell, ALL.map(quotePosix).join(' ')), ALL);
  });
}

test('POSIX: safe words stay bare, the rest single-quoted', () => {
  assert.equal(quotePosix('docker'), 'docker');
  assert.equal(quotePosix('--target'), '--target');
  assert.equal(quotePosix('/w/app/Dockerfile'), '/w/app/Dockerfile');
  assert.equal(quotePosix('app:runtime'), 'app:runtime');
  assert.equal(quotePosix("it's"), `'it'\\''s'`);
  assert.equal(quotePosix(''), "''");
  assert.equal(quotePosix('=x'), "'=x'", 'zsh expands a leading =');
  assert.equal(quotePosix('ünï'), "'ünï'");
});

test("fish: only \\\\ and \\' are escapes inside single quotes", () => {
  assert.equal(quoteFish("it's"), "'it\\'s'");
  assert.equal(quoteFish('back\\slash'), "'back\\\\slash'");
  assert.equal(quoteFish('$HOME'), "'$HOME'");
  assert.equal(quoteFish('plain'), 'plain');
});

test('PowerShell: single quotes (typographic ones too) doubled; , @ and --% quoted; a quoted command is called with &', () => {
  assert.equal(quotePowerShell("it's"), "'it''s'");
  assert.equal(quotePowerShell('‘x’'), "'‘‘x’’'");
  assert.equal(quotePowerShell('a,b'), "'a,b'");
  assert.equal(quotePowerShell('@splat'), "'@splat'");
  assert.equal(quotePowerShell('--%'), "'--%'");
  assert.equal(quotePowerShell('$env:PATH'), "'$env:PATH'");
  assert.equal(quotePowerShell('C:\\w\\Dockerfile'), 'C:\\w\\Dockerfile');
  assert.equal(
    quoteCommandLine(['C:\\Program Files\\Docker\\docker.exe', 'build', '--target', 'a b'], 'powershell'),
    "& 'C:\\Program Files\\Docker\\docker.exe' build --target 'a b'",
  );
  assert.equal(quoteCommandLine(['docker', 'build'], 'powershell'), 'docker build');
});

/** CommandLineToArgvW's rules (what Go's os.Args does on Windows too), to check quoteWindowsArg by a round trip. */
function parseWindows(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let cur = '';
    let inQ = false;
    for (; i < line.length; i++) {
      const c = line[i];
      if (c === '\\') {
        let n = 0;
        while (line[i] === '\\') {
          n++;
          i++;
        }
        if (line[i] === '"') {
          cur += '\\'.repeat(Math.floor(n / 2));
          if (n % 2) {
            cur += '"';
          } else {
            inQ = !inQ;
          }
        } else {
          cur += '\\'.repeat(n);
          i--;
        }
      } else if (c === '"') inQ = !inQ;
      else if ((c === ' ' || c === '\t') && !inQ) break;
      else cur += c ?? '';
    }
    out.push(cur);
  }
  return out;
}

test('Windows argv quoting round-trips through CommandLineToArgvW rules; cmd.exe escapes its metacharacters with ^', () => {
  const args = ALL.filter((a) => !a.includes('\n'));
  assert.deepEqual(parseWindows(args.map(quoteWindowsArg).join(' ')), args);
  // cmd removes one ^ before each character and leaves the rest to the program.
  const unCaret = (s: string) => s.replace(/\^(.)/g, '$1');
  assert.deepEqual(parseWindows(unCaret(args.map(quoteCmd).join(' '))), args);
  assert.equal(quoteCmd('a&b'), 'a^&b');
  assert.equal(quoteCmd('%PATH%'), '^%PATH^%');
  assert.equal(quoteCmd('a b'), '^"a b^"');
});

test('the shell kind from vscode.env.shell', () => {
  assert.equal(shellKindOf('/bin/bash', 'linux'), 'posix');
  assert.equal(shellKindOf('/usr/bin/zsh', 'darwin'), 'posix');
  assert.equal(shellKindOf('/usr/local/bin/fish', 'linux'), 'fish');
  assert.equal(shellKindOf('C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'win32'), 'powershell');
  assert.equal(shellKindOf('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'win32'), 'powershell');
  assert.equal(shellKindOf('C:\\Windows\\System32\\cmd.exe', 'win32'), 'cmd');
  assert.equal(shellKindOf('', 'win32'), 'powershell');
  assert.equal(shellKindOf('', 'linux'), 'posix');
});
