/** Build targets of a Dockerfile (server side): names --target can select, runnable stages, one-line instruction texts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel } from '../../server/src/model/model';
import { computeBuildTargets, computeCodeLenses, instructionText, isRunnable, targetName } from '../../server/src/features/codeLens';
import { parseStageBuildArgs } from '../../server/src/protocol';

test('targetName: valid names only; a duplicate name selects its last stage; reserved names are not targets', () => {
  const m = buildModel('FROM a AS dup\nFROM b AS dup\nFROM c AS Mixed\nFROM d AS 9bad\nFROM e AS scratch\nFROM f\n');
  assert.deepEqual(
    m.stages.map((s) => targetName(m, s) ?? null),
    [null, 'dup', 'mixed', null, null, null],
  );
});

test('isRunnable: CMD or ENTRYPOINT in the stage or a stage it is built on', () => {
  const m = buildModel('FROM a AS base\nCMD ["x"]\nFROM base AS child\nRUN true\nFROM scratch AS other\nCOPY --from=base / /\n');
  assert.deepEqual(
    m.stages.map((s) => isRunnable(m, s)),
    [true, true, false],
  );
});

test('instructionText: continuations joined (also with a backtick escape), comment lines dropped, whitespace collapsed', () => {
  const m = buildModel('FROM a\nRUN echo one \\\n  # note\n    two\t three\n');
  assert.equal(instructionText(m, m.stages[0]!.instructions[0]!), 'RUN echo one two three');
  const w = buildModel('# escape=`\nFROM a\nRUN dir `\n  c:\\\n');
  assert.equal(instructionText(w, w.stages[0]!.instructions[0]!), 'RUN dir c:\\');
});

test('an empty Dockerfile has no targets and no lenses; a single unnamed stage gets Build and a naming lens', () => {
  const e = buildModel('');
  assert.deepEqual(computeCodeLenses(e, computeBuildTargets(e, 'file:///D', 1, undefined)), []);
  const one = buildModel('FROM debian:bookworm\nCMD ["bash"]\n');
  const lenses = computeCodeLenses(one, computeBuildTargets(one, 'file:///D', 3, undefined));
  assert.deepEqual(
    lenses.map((l) => l.command?.title),
    ["Name 'debian-stage' and build", 'Build', 'Run'],
  );
  for (const l of lenses) assert.ok(parseStageBuildArgs(l.command?.arguments?.[0]), 'arguments validate');
});

test('parseStageBuildArgs rejects what is not a StageBuildArgs', () => {
  const ok = { uri: 'file:///D', target: 'x', stage: 0 };
  assert.ok(parseStageBuildArgs(ok));
  assert.equal(parseStageBuildArgs(ok)?.fromCompose, false);
  for (const bad of [
    undefined,
    null,
    'x',
    [],
    { ...ok, uri: 3 },
    { ...ok, uri: '' },
    { ...ok, target: '' },
    { ...ok, stage: -1 },
    { ...ok, stage: 1.5 },
    { ...ok, nameFirst: { version: 1, edits: [{ newText: 1 }] } },
    { ...ok, target: null, nameFirst: { version: 1, edits: [] } },
    { ...ok, compose: { file: 'f', service: 's' } },
    { ...ok, fromCompose: 'yes' },
  ]) {
    assert.equal(parseStageBuildArgs(bad), undefined, JSON.stringify(bad));
  }
  const c = parseStageBuildArgs({
    ...ok,
    target: null,
    compose: { file: 'f', service: 's', context: '/c', buildArgs: ['A=1'], platform: null },
    fromCompose: true,
  });
  assert.deepEqual(c?.compose, { file: 'f', service: 's', context: '/c', buildArgs: ['A=1'], platform: undefined });
  assert.equal(c?.fromCompose, true);
});
