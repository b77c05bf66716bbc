/**
 * The exact argv of builds, runs and inspects, for hostile stage names, tags
 * and paths, and for each builder. Nothing here goes through a shell, so every
 * value must arrive as one argv element, unchanged.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { buildArgv, builderKindOf, flag, inspectArgv, positional, resolveBuilder, runArgv, type Builder, type BuildSpec } from '../../client/src/builds/argv';

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

const docker: Builder = { kind: 'docker', command: '/usr/bin/docker', display: 'docker' };
const spec = (over: Partial<BuildSpec> = {}): BuildSpec => ({
  file: '/w/app/Dockerfile',
  context: '/w/app',
  target: 'runtime',
  tag: 'app:runtime',
  platform: undefined,
  extraArgs: [],
  ...over,
});

test('docker: build --target X -f F -t T <context>, and nothing BuildKit-only', () => {
  const a = buildArgv(docker, spec());
  assert.deepEqual(a, {
    command: '/usr/bin/docker',
    args: ['build', '--target', 'runtime', '-f', '/w/app/Dockerfile', '-t', 'app:runtime', '/w/app'],
    cwd: '/w/app',
  });
  const all = buildArgv(docker, spec({ platform: 'linux/arm64', extraArgs: ['--no-cache', '--build-arg', 'A=1'] }));
  assert.deepEqual(all.args, [
    'build',
    '--platform',
    'linux/arm64',
    '--target',
    'runtime',
    '-f',
    '/w/app/Dockerfile',
    '-t',
    'app:runtime',
    '--no-cache',
    '--build-arg',
    'A=1',
    '/w/app',
  ]);
  for (const f of [
    '--progress',
    '--load',
    '--push',
    '--output',
    '-o',
    '--secret',
    '--ssh',
    '--cache-from',
    '--cache-to',
    '--builder',
    '--pull',
    '--iidfile',
    '--metadata-file',
  ]) {
    assert.ok(!all.args.includes(f), `no ${f}`);
  }
});

test('the default target: no --target at all', () => {
  assert.deepEqual(buildArgv(docker, spec({ target: undefined })).args, ['build', '-f', '/w/app/Dockerfile', '-t', 'app:runtime', '/w/app']);
});

test('each builder: its build subcommand; run with --rm -it (buildah cannot run); inspect', () => {
  const kinds = { docker: 'build', podman: 'build', nerdctl: 'build', buildah: 'bud' } as const;
  for (const [kind, sub] of Object.entries(kinds) as [keyof typeof kinds, string][]) {
    const b: Builder = { kind, command: `/usr/bin/${kind}`, display: kind };
    const a = buildArgv(b, spec());
    assert.equal(a.command, `/usr/bin/${kind}`);
    assert.deepEqual(a.args, [sub, '--target', 'runtime', '-f', '/w/app/Dockerfile', '-t', 'app:runtime', '/w/app'], kind);
    const r = runArgv(b, 'app:runtime', ['-p', '8080:8080'], '/w');
    if (kind === 'buildah') assert.equal(r, undefined);
    else assert.deepEqual(r, { command: `/usr/bin/${kind}`, args: ['run', '--rm', '-it', '-p', '8080:8080', 'app:runtime'], cwd: '/w' });
    const i = inspectArgv(b, 'app:runtime', '/w');
    assert.deepEqual(i.args, kind === 'buildah' ? ['inspect', '--type', 'image', '--', 'app:runtime'] : ['image', 'inspect', '--', 'app:runtime']);
  }
});

test('hostile stage names, tags and paths arrive as single, unchanged argv elements', () => {
  for (const h of HOSTILE.filter((x) => x !== '')) {
    const file = `/w/${h}/Dockerfile`;
    const ctx = `/w/${h}`;
    const a = buildArgv(docker, spec({ target: h, tag: h, file, context: ctx, platform: h }));
    // Exactly the expected elements, in order.
    const pair = (name: string, v: string) => (v.startsWith('-') ? [`${name}=${v}`] : [name, v]);
    assert.deepEqual(a.args, ['build', ...pair('--platform', h), ...pair('--target', h), '-f', file, ...pair('-t', h), ctx], JSON.stringify(h));
    const tIdx = a.args.findIndex((x) => x === '--target' || x.startsWith('--target='));
    assert.equal(a.args[tIdx] === '--target' ? a.args[tIdx + 1] : a.args[tIdx]?.slice('--target='.length), h);
    assert.equal(a.args[a.args.indexOf('-f') + 1], file);
    const tagArg = a.args.find((x) => x.startsWith('-t=')) ?? a.args[a.args.indexOf('-t') + 1];
    assert.equal(tagArg?.startsWith('-t=') ? tagArg.slice(3) : tagArg, h);
    assert.equal(a.args[a.args.length - 1], ctx, 'the context is last');
    assert.equal(a.cwd, ctx);
  }
});

test('a value that starts with a dash is joined to its flag, so no CLI takes it for a flag', () => {
  assert.deepEqual(flag('--target', '-x'), ['--target=-x']);
  assert.deepEqual(flag('-t', '--help'), ['-t=--help']);
  assert.deepEqual(flag('--target', 'x-'), ['--target', 'x-']);
  assert.deepEqual(buildArgv(docker, spec({ target: '--help' })).args.slice(0, 2), ['build', '--target=--help']);
  // A relative context starting with a dash becomes ./-ctx (absolute ones are left alone).
  assert.equal(positional('-ctx'), `.${path.sep}-ctx`);
  assert.equal(positional('/abs/-ctx'), '/abs/-ctx');
  assert.equal(buildArgv(docker, spec({ context: '-ctx' })).args.at(-1), `.${path.sep}-ctx`);
});

test(
  'pflag really reads `--target=-x` and `-t=-y` as values (the parser docker, podman, buildah and nerdctl share)',
  { skip: !hasGoFlagParser() && 'no docker CLI here' },
  () => {
    // `-y` reaches the tag check as the tag's value (and fails it, as it should), so nothing took it for a flag.
    const out = runDocker(['build', '--target=-x', '-t=-y', '-f=/nonexistent/Dockerfile', '/nonexistent-context']);
    assert.match(out, /invalid argument "-y" for "-t, --tag" flag/);
    assert.doesNotMatch(out, /unknown (shorthand )?flag/);
  },
);

function hasGoFlagParser(): boolean {
  try {
    execFileSync('/usr/bin/docker', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
function runDocker(args: string[]): string {
  try {
    return execFileSync('/usr/bin/docker', args, { encoding: 'utf8', stdio: 'pipe', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' } });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}

test('builderKindOf and resolveBuilder: auto takes docker, podman, buildah, nerdctl in that order; explicit names and paths', () => {
  assert.equal(builderKindOf('/usr/bin/podman-remote'), 'podman');
  assert.equal(builderKindOf('C:\\Tools\\nerdctl.exe'), 'nerdctl');
  assert.equal(builderKindOf('/opt/my-builder'), 'docker');
  const onPath = (names: string[]) => (n: string) => (names.includes(n) ? `/bin/${n}` : undefined);
  assert.deepEqual(resolveBuilder('auto', onPath(['nerdctl', 'podman'])), { kind: 'podman', command: '/bin/podman', display: 'podman' });
  assert.deepEqual(resolveBuilder('', onPath(['docker', 'podman'])), { kind: 'docker', command: '/bin/docker', display: 'docker' });
  assert.deepEqual(resolveBuilder(' buildah ', onPath(['docker', 'buildah'])), { kind: 'buildah', command: '/bin/buildah', display: 'buildah' });
  assert.match((resolveBuilder('auto', onPath([])) as { error: string }).error, /No container builder found on PATH/);
  assert.match((resolveBuilder('/opt/podman', () => undefined) as { error: string }).error, /'\/opt\/podman' .* was not found\.$/);
  assert.deepEqual(
    resolveBuilder('/opt/podman', (n) => n),
    { kind: 'podman', command: '/opt/podman', display: '/opt/podman' },
  );
});
