/**
 * From a task definition and the settings to the exact build: the argument
 * splitter, tag templates and their sanitising, context precedence, task
 * definitions from tasks.json and from lenses, and lens-title formatting.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { splitArgs } from '../../client/src/builds/args';
import { formatAge, formatSize, parseImageInspect } from '../../client/src/builds/format';
import {
  DEFAULT_BUILD_SETTINGS,
  definitionFor,
  parseTaskDefinition,
  planBuild,
  type BuildPlan,
  type BuildSettings,
  type StagesTaskDefinition,
} from '../../client/src/builds/plan';
import { expandTemplate, sanitiseImageReference } from '../../client/src/builds/tag';
import type { StageBuildArgs } from '../../server/src/protocol';

test('splitArgs: whitespace, quotes and escapes like a shell, with no expansion at all', () => {
  assert.deepEqual(splitArgs(''), []);
  assert.deepEqual(splitArgs('  --no-cache   --pull=false '), ['--no-cache', '--pull=false']);
  assert.deepEqual(splitArgs(`--build-arg "GREETING=hello world" --label 'a b'`), ['--build-arg', 'GREETING=hello world', '--label', 'a b']);
  assert.deepEqual(splitArgs(`--build-arg X="a \\"quoted\\" word"`), ['--build-arg', 'X=a "quoted" word']);
  assert.deepEqual(splitArgs(`'it'\\''s'`), ["it's"]);
  assert.deepEqual(splitArgs('$HOME ~ * `id` $(id) a;b'), ['$HOME', '~', '*', '`id`', '$(id)', 'a;b'], 'nothing is expanded or split at ;');
  assert.deepEqual(splitArgs('with\\ space ""'), ['with space', ''], 'an escaped blank joins, an empty quote is an argument');
  assert.deepEqual(splitArgs('C:\\work\\ctx'), ['C:\\work\\ctx'], 'backslashes before other characters stay');
  assert.deepEqual(splitArgs('ünï "日本 語"'), ['ünï', '日本 語']);
  assert.throws(() => splitArgs(`--label 'open`), /unterminated ' quote at column 9/);
  assert.throws(() => splitArgs('"open'), /unterminated " quote/);
});

const REFERENCE =
  /^(?:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*:[\w][\w.-]{0,127}$/;

test('sanitiseImageReference: always a valid name:tag (the distribution reference grammar)', () => {
  const cases: [string, string][] = [
    ['app:runtime', 'app:runtime'],
    ['My Project:Build', 'my-project:Build'],
    ['café:dev', 'cafe:dev'],
    ['日本:target', 'image:target'],
    ['-weird-:-x', 'weird:x'],
    ['a..b/c__d/e___f:t', 'a.b/c__d/e-f:t'],
    ['app/a..b/c:t', 'app/a-b/c:t'],
    ['localhost:5000/team/app:1.0', 'localhost:5000/team/app:1.0'],
    ['Registry.Example.com/App', 'registry.example.com/app:latest'],
    ['app', 'app:latest'],
    ['', 'image:latest'],
    ["it's $(id);`x`:ta g", 'it-s-id-x:ta-g'],
    ['app@sha256:abc', 'app:latest'],
  ];
  for (const [input, want] of cases) {
    const got = sanitiseImageReference(input);
    assert.equal(got, want, input);
    assert.match(got, REFERENCE, input);
  }
  for (const h of ['with space', '"dq"', '$HOME', '-leading', 'ünïcödé', '%', '::', '///', 'a:' + 'x'.repeat(300)])
    assert.match(sanitiseImageReference(h), REFERENCE, h);
});

test('tag templates: ${folder}, ${target}, ${file}, ${workspaceFolder}; unknown variables are sanitised away', () => {
  const vars = { folder: 'api', target: 'dev', file: 'Dockerfile', workspaceFolder: 'shop' };
  assert.equal(expandTemplate('${folder}:${target}', vars), 'api:dev');
  assert.equal(expandTemplate('${workspaceFolder}/${folder}:${target}-${file}', vars), 'shop/api:dev-Dockerfile');
  assert.equal(sanitiseImageReference(expandTemplate('${nope}:${target}', vars)), 'nope:dev');
});

const settings = (over: Partial<BuildSettings> = {}): BuildSettings => ({ ...DEFAULT_BUILD_SETTINGS, ...over });
const env = (over: Partial<BuildSettings> = {}, which = (n: string) => (n === 'docker' ? '/usr/bin/docker' : undefined)) => ({
  workspaceFolder: path.resolve('/ws'),
  settings: settings(over),
  which,
});
const plan = (def: Omit<StagesTaskDefinition, 'type'>, over: Partial<BuildSettings> = {}): BuildPlan => {
  const p = planBuild({ type: 'dockerfile-stages', ...def }, env(over));
  assert.ok(!('error' in p), JSON.stringify(p));
  return p;
};

test('planBuild: the Dockerfile relative to the workspace folder; context precedence: task > setting > Dockerfile folder', () => {
  const p = plan({ file: 'svc/My App/Dockerfile', target: 'runtime' });
  assert.deepEqual(
    [p.argv.command, ...p.argv.args],
    [
      '/usr/bin/docker',
      'build',
      '--target',
      'runtime',
      '-f',
      path.resolve('/ws/svc/My App/Dockerfile'),
      '-t',
      'my-app:runtime',
      path.resolve('/ws/svc/My App'),
    ],
  );
  assert.equal(p.builder.display, 'docker');
  assert.equal(plan({ file: 'svc/Dockerfile', context: '.' }).spec.context, path.resolve('/ws'));
  assert.equal(plan({ file: 'svc/Dockerfile' }, { context: '${workspaceFolder}/ctx' }).spec.context, path.resolve('/ws/ctx'));
  assert.equal(plan({ file: 'svc/Dockerfile' }, { context: '${fileDirname}/..' }).spec.context, path.resolve('/ws'));
  assert.equal(plan({ file: 'svc/Dockerfile', context: 'other' }, { context: 'ignored' }).spec.context, path.resolve('/ws/other'));
  assert.equal(plan({ file: '/abs/Dockerfile' }).spec.file, path.resolve('/abs/Dockerfile'));
});

test("planBuild: tags (task tag, setting, default; default target → latest); extra args: settings first, then the task's", () => {
  assert.equal(plan({ file: 'Dockerfile' }).spec.tag, 'ws:latest');
  assert.equal(plan({ file: 'a/Dockerfile', target: 'dev' }, { tag: 'reg.io/${workspaceFolder}/${folder}:${target}' }).spec.tag, 'reg.io/ws/a:dev');
  assert.equal(plan({ file: 'a/Dockerfile', target: 'dev', tag: 'Custom Tag' }).spec.tag, 'custom-tag:latest');
  const p = plan({ file: 'Dockerfile', args: ['--build-arg', 'A=b c'] }, { args: '--no-cache --label "x=y z"' });
  assert.deepEqual(p.spec.extraArgs, ['--no-cache', '--label', 'x=y z', '--build-arg', 'A=b c']);
  assert.deepEqual(p.argv.args.slice(-6), ['--no-cache', '--label', 'x=y z', '--build-arg', 'A=b c', path.resolve('/ws')]);
  assert.deepEqual(planBuild({ type: 'dockerfile-stages', file: 'Dockerfile' }, env({ args: '"open' })), {
    error: 'dockerStages.build.args: unterminated " quote at column 1: "open',
  });
  assert.match(
    (planBuild({ type: 'dockerfile-stages', file: 'Dockerfile', builder: 'podman' }, env()) as { error: string }).error,
    /'podman'.*not found on PATH/,
  );
});

test('parseTaskDefinition: tasks.json values are checked; empty strings mean "not set"', () => {
  assert.deepEqual(parseTaskDefinition({ type: 'dockerfile-stages', file: 'Dockerfile', target: '', tag: 't', args: ['a'], run: true, extra: 1 }), {
    type: 'dockerfile-stages',
    file: 'Dockerfile',
    tag: 't',
    args: ['a'],
    run: true,
  });
  assert.equal(parseTaskDefinition({ type: 'dockerfile-stages' }), '"file" (the Dockerfile) is required');
  assert.equal(parseTaskDefinition({ type: 'dockerfile-stages', file: 'D', args: 'a b' }), '"args" must be an array of strings');
  assert.equal(parseTaskDefinition({ type: 'dockerfile-stages', file: 'D', target: 3 }), '"target" must be a string');
  assert.equal(parseTaskDefinition({ type: 'shell', file: 'D' }), 'type is not dockerfile-stages');
});

test("definitionFor: a lens build as a tasks.json definition; Compose context only without a context setting; a Compose lens uses its service's args and platform", () => {
  const ws = path.resolve('/ws');
  const file = path.join(ws, 'api', 'Dockerfile');
  const compose = { file: 'file:///ws/compose.yaml', service: 'api', context: ws, buildArgs: ['MODE=dev', 'X=-1'], platform: 'linux/arm64' };
  const args: StageBuildArgs = { uri: 'file:///ws/api/Dockerfile', target: 'dev', stage: 1, nameFirst: undefined, compose, fromCompose: false };
  assert.deepEqual(definitionFor(args, file, ws, settings(), false), { type: 'dockerfile-stages', file: 'api/Dockerfile', target: 'dev', context: ws });
  assert.deepEqual(definitionFor(args, file, ws, settings({ context: 'x' }), true), {
    type: 'dockerfile-stages',
    file: 'api/Dockerfile',
    target: 'dev',
    run: true,
  });
  assert.deepEqual(definitionFor({ ...args, fromCompose: true }, file, ws, settings({ context: 'x' }), false), {
    type: 'dockerfile-stages',
    file: 'api/Dockerfile',
    target: 'dev',
    context: ws,
    args: ['--build-arg', 'MODE=dev', '--build-arg', 'X=-1'],
    platform: 'linux/arm64',
  });
  assert.deepEqual(definitionFor({ ...args, target: null, compose: undefined }, path.resolve('/elsewhere/Dockerfile'), ws, settings(), false), {
    type: 'dockerfile-stages',
    file: path.resolve('/elsewhere/Dockerfile'),
  });
});

test('lens titles: sizes in decimal units, ages in words; image inspect output of docker/podman and buildah', () => {
  assert.deepEqual([0, 999, 1000, 1832305, 117_000_000, 787_400_000, 1_234_000_000, 9_960_000].map(formatSize), [
    '0 B',
    '999 B',
    '1 kB',
    '1.8 MB',
    '117 MB',
    '787 MB',
    '1.2 GB',
    '10 MB',
  ]);
  const now = new Date('2025-01-01T12:00:00Z');
  const ago = (s: number) => formatAge(new Date(now.getTime() - s * 1000), now);
  assert.deepEqual([10, 100, 3600 * 3, 86400, 86400 * 5, 86400 * 60, 86400 * 800].map(ago), [
    'just now',
    '2 min ago',
    '3 h ago',
    '1 day ago',
    '5 days ago',
    '2 months ago',
    '2 years ago',
  ]);
  const d = parseImageInspect('[{"Id":"sha256:abc","Size":1832305,"Created":"2025-01-01T11:58:00Z","Config":{"Labels":{"stage":"runtime"}}}]');
  assert.deepEqual(d, { id: 'sha256:abc', size: 1832305, created: '2025-01-01T11:58:00Z', labels: { stage: 'runtime' } });
  const b = parseImageInspect('{"FromImageID":"abc","OCIv1":{"created":"2025-01-01T11:00:00Z","config":{"Labels":{"a":"b"}}}}');
  assert.deepEqual(b, { id: 'abc', size: undefined, created: '2025-01-01T11:00:00Z', labels: { a: 'b' } });
  assert.equal(parseImageInspect('not json'), undefined);
  assert.equal(parseImageInspect('[]'), undefined);
});
