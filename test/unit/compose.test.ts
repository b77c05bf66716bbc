/** Compose parsing (positions, short and long build forms, interpolation, paths) and the pure Compose features. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { interpolate, isBaseComposeFileName, isComposeFileName, parseCompose, resolveBuildPaths, type ComposeBuild } from '../../server/src/workspace/compose';
import { buildModel } from '../../server/src/model/model';
import { closestTarget, computeComposeCodeLenses, computeComposeCompletions, composeProblems, type ServiceBuild } from '../../server/src/features/compose';

const COMPOSE = `name: demo
services:
  api:
    build:
      context: ./api
      dockerfile: build/Dockerfile
      target: dev
      args:
        - GO_VERSION=1.19
        - FROM_ENV
    platform: linux/arm64
  web:
    build: web
  cache:
    image: redis
  "quoted name":
    build:
      context: \${CTX:-./q}
      target: \${TARGET}
  empty:
    build:
      target:
`;

test('Compose file names: the patterns VS Code gives the dockercompose language', () => {
  for (const n of [
    'compose.yaml',
    'compose.yml',
    'compose.override.yaml',
    'compose.prod.yml',
    'docker-compose.yml',
    'docker-compose.yaml',
    'docker-compose.override.yml',
    'my-docker-compose.yml',
  ])
    assert.ok(isComposeFileName(n), n);
  for (const n of ['composer.json', 'compose.json', 'values.yaml', 'Dockerfile', 'composed.yaml']) assert.ok(!isComposeFileName(n), n);
  assert.ok(isBaseComposeFileName('compose.yaml') && isBaseComposeFileName('docker-compose.yml'));
  assert.ok(!isBaseComposeFileName('compose.override.yaml'));
});

test('interpolation: defaults are used, other variables make the value dynamic, $$ is a dollar', () => {
  assert.deepEqual(interpolate('dev'), { value: 'dev', dynamic: false });
  assert.deepEqual(interpolate('${T:-dev}'), { value: 'dev', dynamic: true });
  assert.deepEqual(interpolate('${T-dev}'), { value: 'dev', dynamic: true });
  assert.deepEqual(interpolate('${T}'), { value: '', dynamic: true });
  assert.deepEqual(interpolate('$T-x'), { value: '-x', dynamic: true });
  assert.deepEqual(interpolate('a$$b'), { value: 'a$b', dynamic: false });
});

test('parseCompose: services, long and short build forms, target positions, literal build args, platform', () => {
  const f = parseCompose(COMPOSE);
  assert.deepEqual(f.errors, []);
  assert.deepEqual(
    f.services.map((s) => s.name),
    ['api', 'web', 'cache', 'quoted name', 'empty'],
  );
  const api = f.services[0]?.build as ComposeBuild;
  assert.equal(api.short, false);
  assert.equal(api.context?.value, './api');
  assert.equal(api.dockerfile?.value, 'build/Dockerfile');
  assert.deepEqual(api.target?.value?.range, { start: { line: 6, character: 14 }, end: { line: 6, character: 17 } });
  assert.deepEqual(api.target?.keyRange, { start: { line: 6, character: 6 }, end: { line: 6, character: 12 } });
  assert.deepEqual(api.args, ['GO_VERSION=1.19'], 'a bare NAME takes its value from the environment');
  assert.equal(f.services[0]?.platform?.value, 'linux/arm64');
  assert.deepEqual(f.services[0]?.nameRange, { start: { line: 2, character: 2 }, end: { line: 2, character: 5 } });
  const web = f.services[1]?.build as ComposeBuild;
  assert.equal(web.short, true);
  assert.equal(web.context?.value, 'web');
  assert.equal(f.services[2]?.build, undefined);
  assert.equal(f.services[3]?.build?.target?.value?.dynamic, true);
  const empty = f.services[4]?.build?.target;
  assert.equal(empty?.value, null);
  assert.deepEqual(empty?.valueRange.start.line, 21);
});

test('parseCompose keeps what it can of a broken file and reports YAML errors', () => {
  const f = parseCompose('services:\n  api:\n    build:\n      target: dev\n  bad: [\n');
  assert.ok(f.errors.length > 0);
  assert.equal(f.services[0]?.build?.target?.value?.value, 'dev');
  assert.deepEqual(parseCompose('').services, []);
  assert.deepEqual(parseCompose('- a\n- b\n').services, []);
  assert.deepEqual(parseCompose('services: 3\n').services, []);
});

test('resolveBuildPaths: context from the Compose folder, dockerfile from the context; override files inherit; remote and variable contexts are unknown', () => {
  const f = parseCompose(COMPOSE);
  const dir = path.resolve('/p');
  const api = resolveBuildPaths(dir, f.services[0]?.build as ComposeBuild);
  assert.deepEqual(api, { kind: 'local', context: path.resolve('/p/api'), dockerfile: path.resolve('/p/api/build/Dockerfile') });
  assert.deepEqual(resolveBuildPaths(dir, f.services[1]?.build as ComposeBuild), {
    kind: 'local',
    context: path.resolve('/p/web'),
    dockerfile: path.resolve('/p/web/Dockerfile'),
  });
  assert.equal(resolveBuildPaths(dir, f.services[3]?.build as ComposeBuild).kind, 'unknown');
  const override = parseCompose('services:\n  api:\n    build:\n      target: prod\n').services[0]?.build as ComposeBuild;
  assert.deepEqual(resolveBuildPaths(dir, override, f.services[0]?.build), api);
  const remote = parseCompose('services:\n  a:\n    build: https://github.com/x/y.git#main\n').services[0]?.build as ComposeBuild;
  assert.deepEqual(resolveBuildPaths(dir, remote), { kind: 'unknown', why: 'the context is remote (https://github.com/x/y.git#main)' });
  const inline = parseCompose('services:\n  a:\n    build:\n      dockerfile_inline: |\n        FROM scratch\n').services[0]?.build as ComposeBuild;
  assert.equal(resolveBuildPaths(dir, inline).kind, 'unknown');
});

test('closestTarget: small edit distances, or the one name with that prefix', () => {
  assert.equal(closestTarget(['builder', 'runtime'], 'bulder'), 'builder');
  assert.equal(closestTarget(['builder', 'runtime'], 'RUNTIME'), 'runtime');
  assert.equal(closestTarget(['dev', 'prod'], 'de'), 'dev');
  assert.equal(closestTarget(['production', 'development'], 'prod'), 'production');
  assert.equal(closestTarget(['a', 'b'], 'zzzzzz'), undefined);
});

test('Compose features on a resolved model: diagnostics, completion range, lenses (dynamic targets are left alone)', () => {
  const f = parseCompose(COMPOSE);
  const model = buildModel('FROM golang AS build\nFROM build AS dev\nFROM scratch AS prod\n');
  const dir = path.resolve('/p');
  const builds = new Map<string, ServiceBuild>();
  for (const s of f.services) {
    if (!s.build) continue;
    const paths = resolveBuildPaths(dir, s.build);
    builds.set(s.name, { service: s, paths, dockerfileUri: 'file:///p/api/build/Dockerfile', model, error: undefined });
  }
  assert.deepEqual(composeProblems(f, builds, dir), [], 'dev exists; the dynamic target is not checked');
  const typo = parseCompose(COMPOSE.replace('target: dev', 'target: prd'));
  const ds = composeProblems(typo, builds, dir);
  assert.deepEqual(
    ds.map((d) => d.message),
    ["Target stage 'prd' is not in api/build/Dockerfile. Did you mean 'prod'?"],
  );
  const none = composeProblems(parseCompose(COMPOSE.replace('target: dev', 'target: nothing-like-it')), builds, dir);
  assert.deepEqual(
    none.map((d) => d.message),
    ["Target stage 'nothing-like-it' is not in api/build/Dockerfile (its stages: build, dev, prod)."],
  );
  const items = computeComposeCompletions(f, builds, { line: 6, character: 15 }, '      target: dev') ?? [];
  assert.deepEqual(
    items.map((i) => i.label),
    ['build', 'dev', 'prod'],
  );
  assert.equal(computeComposeCompletions(f, builds, { line: 4, character: 15 }, '      context: ./api'), undefined, 'not at a target');
  const lenses = computeComposeCodeLenses(f, builds, 'file:///p/compose.yaml');
  assert.deepEqual(
    lenses.map((l) => l.command?.title),
    ['Build api (target dev)', 'Build web'],
  );
});
