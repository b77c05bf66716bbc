/**
 * `dockerfile-stages graph`: every format, run as a real process from the bundle, on
 * fixtures with unnamed stages, numeric and mount references, a FROM chain and external
 * images. Resolution rules are BuildKit's (dockerfile2llb): COPY --from=<digits> is an
 * index, mount from= is looked up by name only (an index there is an image name),
 * FROM <name> only finds earlier stages.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { stageGraph, targetChain } from '../../server/src/model/graph';
import { buildModel, stageNeeds } from '../../server/src/model/model';

const root = path.resolve(__dirname, '../../..');
const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), ...args], { encoding: 'utf8', cwd: root });
const CHAINS = 'test/fixtures/graph/chains.Dockerfile';

interface JsonGraph {
  stages: { index: number; name: string | null; base: string; line: number; reachable: boolean }[];
  edges: { from: number; to: number | string; kind: string; line: number; dynamic?: boolean }[];
  images: { name: string; usedBy: number[] }[];
  defaultTarget: number | null;
}

test('graph --format json: stages, edges by kind and line, images', () => {
  const r = cli('graph', CHAINS, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const g = JSON.parse(r.stdout) as JsonGraph;
  assert.deepEqual(
    g.stages.map((s) => [s.index, s.name, s.base, s.line]),
    [
      [0, 'deps', 'golang:1.22', 3],
      [1, 'build', 'deps', 6],
      [2, null, 'alpine:3.20', 10],
      [3, 'test', 'build', 13],
      [4, null, 'alpine:3.20', 16],
      [5, null, 'scratch', 19],
    ],
  );
  assert.deepEqual(
    g.edges.map((e) => [e.from, e.to, e.kind, e.line]),
    [
      [0, 'golang:1.22', 'from', 3],
      [1, 0, 'from', 6],
      [1, 0, 'mount', 8],
      [2, 'alpine:3.20', 'from', 10],
      [3, 1, 'from', 13],
      [4, 'alpine:3.20', 'from', 16],
      [5, 1, 'copy', 20],
      [5, 2, 'copy', 21],
      [5, 'busybox:1.36', 'copy', 22],
      [5, 'node:18', 'mount', 23],
    ],
  );
  assert.equal(g.edges[0]?.dynamic, true, 'golang:${GO} uses a build arg');
  assert.deepEqual(
    g.images.map((i) => [i.name, i.usedBy]),
    [
      ['golang:1.22', [0]],
      ['alpine:3.20', [2, 4]],
      ['busybox:1.36', [5]],
      ['node:18', [5]],
    ],
  );
  assert.equal(g.defaultTarget, 5);
  assert.deepEqual(
    g.stages.filter((s) => !s.reachable).map((s) => s.index),
    [4],
    'only the unnamed stage nothing uses is unreachable',
  );
});

test('graph json: mount from=<digits> is an image, COPY --from=<digits> a stage; bad references are no edges', () => {
  const g = JSON.parse(cli('graph', 'test/fixtures/mounts.Dockerfile').stdout) as JsonGraph;
  assert.deepEqual(
    g.edges.filter((e) => e.kind === 'mount').map((e) => e.to),
    [0, '0', 0],
  );
  const bad = JSON.parse(cli('graph', 'test/fixtures/forward-self.Dockerfile').stdout) as JsonGraph;
  const model = buildModel(readFileSync(path.join(root, 'test/fixtures/forward-self.Dockerfile'), 'utf8'));
  // Exactly the stage dependencies the model resolves, nothing more.
  const stageEdges = bad.edges.filter((e) => typeof e.to === 'number').map((e) => `${e.from}->${e.to}`);
  const deps = model.stages.flatMap((s) => s.dependsOn.map((d) => `${s.index}->${d}`));
  assert.deepEqual([...new Set(stageEdges)].sort(), deps.sort());
});

test("the --target chain of the graph is the model's stageNeeds on every fixture", () => {
  for (const f of [CHAINS, 'test/fixtures/mounts.Dockerfile', 'test/fixtures/unreachable.Dockerfile', 'test/fixtures/basic-multistage.Dockerfile']) {
    const model = buildModel(readFileSync(path.join(root, f), 'utf8'));
    const g = stageGraph(model);
    for (const s of model.stages) assert.deepEqual(targetChain(g, s.index), stageNeeds(model, s.index), `${f} stage ${s.index}`);
  }
});

test('graph --format dot names every stage (name or #index) and styles edges by kind', () => {
  const r = cli('graph', '--format=dot', CHAINS);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^digraph "chains.Dockerfile" \{\n {2}rankdir=BT;/);
  for (const [i, label] of [
    [0, 'deps'],
    [1, 'build'],
    [2, '#2'],
    [3, 'test'],
    [4, '#4'],
    [5, '#5'],
  ] as const) {
    assert.match(r.stdout, new RegExp(`\\n  s${i} \\[label="${label}\\\\n`), `stage ${i} is ${label}`);
  }
  assert.match(r.stdout, /\n {2}s1 -> s0 \[style=solid\];/);
  assert.match(r.stdout, /\n {2}s1 -> s0 \[style=dotted, label="mount"\];/);
  assert.match(r.stdout, /\n {2}s5 -> s2 \[style=dashed, label="COPY"\];/);
  assert.match(r.stdout, /\n {2}i2 \[label="busybox:1.36", shape=cylinder/);
  assert.match(r.stdout, /\n {2}s5 \[[^\]]*penwidth=3/, 'the default target stands out');
  assert.match(r.stdout, /\n {2}s4 \[[^\]]*style="rounded,dashed"/, 'unreachable stage dashed');
  assert.equal((r.stdout.match(/ -> /g) ?? []).length, 10);
});

test('graph --format mermaid is a flowchart with every stage, image and edge', () => {
  const r = cli('graph', CHAINS, '--format', 'mermaid');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'flowchart BT');
  assert.ok(lines.includes('  s2["#2<br/><small>alpine:3.20</small>"]'), r.stdout);
  assert.ok(lines.includes('  s3["test<br/><small>FROM build</small>"]'));
  assert.ok(lines.includes('  i3[("node:18")]'));
  assert.ok(lines.includes('  s1 -. mount .-> s0'));
  assert.ok(lines.includes('  s5 -. COPY .-> s1'));
  assert.ok(lines.includes('  s3 --> s1'));
  assert.ok(lines.includes('  class s4 unreachable'));
  assert.ok(lines.includes('  class s5 target'));
});

test('graph --format svg writes a standalone, laid-out file naming every stage', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'graph-'));
  const file = path.join(dir, 'g.svg');
  const r = cli('graph', CHAINS, '--format', 'svg', '--output', file);
  assert.equal(r.status, 0, r.stderr);
  const svg = readFileSync(file, 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<style>/, 'standalone: carries its own style');
  assert.doesNotMatch(svg, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no remote resources');
  assert.equal((svg.match(/data-stage="/g) ?? []).length, 6);
  assert.equal((svg.match(/class="node image"/g) ?? []).length, 4);
  assert.equal((svg.match(/class="edge (from|copy|mount)" data-edge/g) ?? []).length, 10);
  for (const label of ['deps', 'build', '#2', 'test', '#4', '#5', 'busybox:1.36']) assert.match(svg, new RegExp(`>${label}</text>`));
  assert.match(svg, /class="node stage default-target" data-stage="5"/);
  assert.match(svg, /class="node stage unreachable" data-stage="4"/);
  // Laid out: nodes have distinct positions, and the base image sits above the stage built on it.
  const y = (id: string) => Number(new RegExp(`data-stage="${id}"[^>]*><title>[^<]*</title><rect x="[\\d.]+" y="([\\d.]+)"`).exec(svg)?.[1]);
  assert.ok(y('0') < y('1') && y('1') < y('3'), `deps above build above test: ${y('0')} ${y('1')} ${y('3')}`);
  // Tags balance (a cheap well-formedness check).
  const open = (svg.match(/<(g|text|title|svg)[\s>]/g) ?? []).length;
  const close = (svg.match(/<\/(g|text|title|svg)>/g) ?? []).length;
  assert.equal(open, close);
});

test('graph: bad format, missing file and missing argument exit 2 with a message', () => {
  const bad = cli('graph', CHAINS, '--format', 'png');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown format 'png': use one of json, dot, mermaid, svg/);
  const missing = cli('graph', 'does/not/exist');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read does\/not\/exist/);
  assert.equal(cli('graph').status, 2);
  assert.match(cli('--help').stdout, /dockerfile-stages graph <Dockerfile>/);
});
