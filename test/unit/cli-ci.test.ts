/**
 * The CLI for CI (issue 12): --version/--help of both bins, clear usage errors,
 * files that are not Dockerfiles, the toolchain hint, --severity, and SARIF 2.1.0
 * validated with ajv against the OASIS schema that @microsoft/jest-sarif ships
 * (read from node_modules, not vendored).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv-draft-04';
import { Codes } from '../../server/src/model/checks';
import { RULES } from '../../server/src/model/rules';
import { VERSION } from '../../server/src/version';

const root = path.resolve(__dirname, '../../..');
const run = (bin: string, args: string[], cwd = root) => spawnSync(process.execPath, [path.join(root, 'dist', bin), ...args], { encoding: 'utf8', cwd });
const cli = (...args: string[]) => run('cli.js', args);

test("the version in the sources is package.json's", () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
});

test('both bins answer --version and --help on stdout with exit code 0', () => {
  for (const bin of ['cli.js', 'server.js']) {
    const v = run(bin, ['--version']);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, new RegExp(`^dockerfile-stages(-langserver)? ${VERSION.replace(/\./g, '\\.')}\\n$`));
    const h = run(bin, ['--help']);
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, /Usage:/);
  }
  // The language server without a transport: usage on stderr, exit 2.
  const bare = run('server.js', []);
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /--stdio/);
});

test('an unknown subcommand or option says so (not just the usage), exit 2', () => {
  const r = cli('chek', 'Dockerfile');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'chek' \(did you mean 'check'\?\)/);
  assert.doesNotMatch(r.stderr, /^Usage:/m);
  const o = cli('check', '--sevrity', 'error', 'test/fixtures/basic-multistage.Dockerfile');
  assert.equal(o.status, 2);
  assert.match(o.stderr, /unknown option --sevrity/);
  const f = cli('check', '--format', 'xml', 'test/fixtures/basic-multistage.Dockerfile');
  assert.equal(f.status, 2);
  assert.match(f.stderr, /--format must be one of text, json, sarif/);
  const n = cli('check');
  assert.equal(n.status, 2);
  assert.match(n.stderr, /check: needs a Dockerfile/);
});

test('a file that is not a Dockerfile is an error, not "0 problem(s)"', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dfs-cli-'));
  const yaml = path.join(dir, 'compose.yaml');
  writeFileSync(yaml, 'services:\n  web:\n    build: .\n');
  const r = cli('check', yaml);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /compose\.yaml: not a Dockerfile \(no FROM instruction; line 1 starts with 'services:'/);
  assert.doesNotMatch(r.stderr + r.stdout, /0 problem/);
  const bin = path.join(dir, 'a.out');
  writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
  assert.match(cli('stages', bin).stderr, /not a Dockerfile \(binary data\)/);
  assert.equal(cli('convert', yaml).status, 2);
  // One good file beside a bad one: the good one is still checked, the exit code is 2.
  const both = cli('check', 'test/fixtures/forward-self.Dockerfile', yaml);
  assert.equal(both.status, 2);
  assert.match(both.stdout, /forward-self\.Dockerfile:2:13: error/);
});

test('check gives the toolchain hint the editor gives', () => {
  const r = cli('check', 'test/fixtures/single-stage.Dockerfile');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /single-stage\.Dockerfile:\d+:\d+: information \[single-stage-toolchain\] This image ships its build toolchain/);
  assert.match(r.stdout, /hint: this image ships its build toolchain: `dockerfile-stages convert test\/fixtures\/single-stage\.Dockerfile`/);
  // A multi-stage file gets no hint.
  assert.doesNotMatch(cli('check', 'test/fixtures/basic-multistage.Dockerfile').stdout, /toolchain/);
});

test('--severity is a threshold: what is reported and what fails', () => {
  // Warnings (an unknown stage name, a stage name not lower-case) and no errors.
  const dir = mkdtempSync(path.join(tmpdir(), 'dfs-sev-'));
  const warnings = path.join(dir, 'Dockerfile');
  writeFileSync(warnings, 'FROM debian AS Build\nCOPY --from=nosuch /a /b\n');
  const all = cli('check', '--format', 'json', warnings);
  const problems = (JSON.parse(all.stdout) as { problems: { severity: string }[] }[])[0]?.problems ?? [];
  assert.ok(
    problems.some((p) => p.severity === 'warning'),
    all.stdout,
  );
  assert.ok(!problems.some((p) => p.severity === 'error'), all.stdout);
  assert.equal(all.status, 0);
  const warn = cli('check', '--severity', 'warning', warnings);
  assert.equal(warn.status, 1, 'warnings fail at --severity warning');
  const err = cli('check', '--severity=error', '--format', 'json', warnings);
  assert.equal(err.status, 0);
  assert.deepEqual((JSON.parse(err.stdout) as { problems: unknown[] }[])[0]?.problems, []);
  // The toolchain information is below warning.
  assert.doesNotMatch(cli('check', '--severity', 'warning', 'test/fixtures/single-stage.Dockerfile').stdout, /toolchain/);
  assert.match(cli('check', '--severity', 'info', 'test/fixtures/single-stage.Dockerfile').stdout, /toolchain/);
});

function sarifValidator() {
  const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  // The schema's language pattern is not valid as a Unicode regular expression.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  return ajv.compile(schema);
}

test('every diagnostic code has rule metadata', () => {
  for (const code of Object.values(Codes)) {
    const r = RULES[code];
    assert.ok(r && r.name && r.short && r.full && r.buildkit, code);
  }
  assert.deepEqual(Object.keys(RULES).sort(), Object.values(Codes).sort());
});

test('--format sarif is valid SARIF 2.1.0 with rules for every code and results on the right lines', () => {
  const validate = sarifValidator();
  const files = [
    'test/fixtures/forward-self.Dockerfile',
    'test/fixtures/case-rules.Dockerfile',
    'test/fixtures/single-stage.Dockerfile',
    'test/fixtures/emoji.Dockerfile',
  ];
  const r = cli('check', '--format', 'sarif', ...files);
  assert.equal(r.status, 1, r.stderr);
  const log = JSON.parse(r.stdout) as {
    version: string;
    runs: {
      tool: { driver: { rules: { id: string; shortDescription: { text: string } }[] } };
      results: {
        ruleId: string;
        ruleIndex: number;
        level: string;
        locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn: number } } }[];
      }[];
    }[];
  };
  const ok = validate(log);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  assert.equal(log.version, '2.1.0');
  const run0 = log.runs[0];
  assert.ok(run0);
  const rules = run0.tool.driver.rules;
  assert.deepEqual(rules.map((x) => x.id).sort(), Object.values(Codes).sort());
  for (const res of run0.results) assert.equal(rules[res.ruleIndex]?.id, res.ruleId);
  const later = run0.results.find((x) => x.ruleId === 'stage-later-reference');
  assert.ok(later);
  assert.equal(later.level, 'error');
  assert.deepEqual(later.locations[0]?.physicalLocation.artifactLocation, { uri: 'test/fixtures/forward-self.Dockerfile', uriBaseId: '%SRCROOT%' });
  assert.equal(later.locations[0]?.physicalLocation.region.startLine, 2);
  assert.equal(later.locations[0]?.physicalLocation.region.startColumn, 13);
  assert.ok(run0.results.some((x) => x.ruleId === 'single-stage-toolchain' && x.level === 'note'));
  // The schema check is real: a log without a version is rejected.
  assert.equal(validate({ runs: [] }), false);
  const broken = JSON.parse(r.stdout) as { runs: { results: { level: string }[] }[] };
  (broken.runs[0]?.results[0] as { level: string }).level = 'fatal';
  assert.equal(validate(broken), false);
});

test('SARIF of a file outside the working directory uses an absolute file: URI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dfs-sarif-'));
  const f = path.join(dir, 'my app.Dockerfile');
  writeFileSync(f, 'FROM debian AS build\nCOPY --from=later /x /x\nFROM debian AS later\n');
  const r = run('cli.js', ['check', '--format', 'sarif', f], path.join(root, 'test'));
  const log = JSON.parse(r.stdout) as {
    runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[] }[];
  };
  const loc = log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation;
  assert.ok(loc?.uri.startsWith('file:///') && loc.uri.endsWith('my%20app.Dockerfile'), JSON.stringify(loc));
  assert.equal(loc?.uriBaseId, undefined);
  assert.ok(sarifValidator()(log));
});
