/**
 * The workspace index on an in-memory file system: each file kind's path rules, the
 * ignored folders, and hostile workspaces (symlinks out, oversized files, files that
 * vanish between listing and reading, a YAML alias bomb).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { WorkspaceIndex, type EntryType, type FileAccess } from '../../server/src/workspace/index';
import { parseHcl } from '../../server/src/workspace/hcl';
import { bakeUses, parseBakeHcl, parseDevcontainer, parseWorkflow, sourceKindOf } from '../../server/src/workspace/sources';
import { buildModel } from '../../server/src/model/model';
import { targetRenameEdits, targetValuesNaming } from '../../server/src/features/targets';

class MemFs implements FileAccess {
  files = new Map<string, string>();
  links = new Map<string, string>();
  reads: string[] = [];
  /** Files that disappear once listed. */
  vanishing = new Set<string>();
  readDir(dir: string): { name: string; type: EntryType }[] | undefined {
    const names = new Map<string, EntryType>();
    const pre = dir.endsWith('/') ? dir : dir + '/';
    for (const p of [...this.files.keys(), ...this.links.keys()]) {
      if (!p.startsWith(pre)) continue;
      const rest = p.slice(pre.length).split('/');
      const name = rest[0] as string;
      names.set(name, rest.length > 1 ? 'dir' : this.links.has(p) ? 'symlink' : 'file');
    }
    if (names.size === 0) return undefined;
    return [...names].map(([name, type]) => ({ name, type }));
  }
  realPath(p: string): string | undefined {
    const l = this.links.get(p);
    if (l) return l;
    return this.files.has(p) || [...this.files.keys()].some((f) => f.startsWith(p + '/')) ? p : undefined;
  }
  readFile(p: string, max: number): string | undefined {
    this.reads.push(p);
    if (this.vanishing.has(p)) return undefined;
    const t = this.files.get(this.links.get(p) ?? p);
    return t === undefined || Buffer.byteLength(t) > max ? undefined : t;
  }
}

const DOCKERFILE = 'FROM alpine AS base\nFROM base AS build\nFROM base AS dev\nFROM base AS runtime\n';

function ws(): MemFs {
  const fs = new MemFs();
  fs.files.set('/w/app/Dockerfile', DOCKERFILE);
  fs.files.set('/w/compose.yaml', 'services:\n  api:\n    build:\n      context: ./app\n      target: dev\n');
  fs.files.set(
    '/w/docker-bake.hcl',
    'group "default" {\n  targets = ["build"]\n}\ntarget "build" {\n  context = "app"\n  target = "build"\n}\ntarget "dev" {\n  inherits = ["build"]\n  target = "dev"\n}\ntarget "release" {\n  inherits = ["build"]\n}\n',
  );
  fs.files.set(
    '/w/.devcontainer/devcontainer.json',
    '{\n  // comment\n  "build": { "dockerfile": "../app/Dockerfile", "context": "..", "target": "dev", },\n}\n',
  );
  fs.files.set(
    '/w/.github/workflows/ci.yml',
    'jobs:\n  b:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: app\n          target: runtime\n      - uses: docker/build-push-action@v6\n        with:\n          file: app/Dockerfile\n          target: build\n',
  );
  fs.files.set('/w/node_modules/x/docker-bake.hcl', 'target "x" {\n  context = "../../app"\n  target = "dev"\n}\n');
  return fs;
}

test('file kinds by name and folder', () => {
  assert.equal(sourceKindOf('/w/docker-bake.hcl'), 'bake');
  assert.equal(sourceKindOf('/w/docker-bake.override.hcl'), 'bake');
  assert.equal(sourceKindOf('/w/sub/docker-bake.json'), 'bake');
  assert.equal(sourceKindOf('/w/.devcontainer/devcontainer.json'), 'devcontainer');
  assert.equal(sourceKindOf('/w/.devcontainer/py/devcontainer.json'), 'devcontainer');
  assert.equal(sourceKindOf('/w/.devcontainer.json'), 'devcontainer');
  assert.equal(sourceKindOf('/w/devcontainer.json'), undefined);
  assert.equal(sourceKindOf('/w/.github/workflows/ci.yaml'), 'workflow');
  assert.equal(sourceKindOf('/w/compose.yaml'), 'compose');
  assert.equal(sourceKindOf('/w/x.hcl'), undefined);
});

test('each format resolves (context, dockerfile) by its own rules', () => {
  const idx = new WorkspaceIndex(ws());
  idx.setRoots(['/w']);
  const uses = idx.allUses();
  const by = (kind: string, name?: string) => uses.filter((u) => u.kind === kind && (name === undefined || u.name === name));
  const df = path.resolve('/w/app/Dockerfile');
  // Compose: relative to the compose file.
  assert.deepEqual(by('compose')[0]?.paths, { kind: 'local', context: path.resolve('/w/app'), dockerfile: df });
  // Bake: relative to the bake file, inherits, default Dockerfile.
  assert.deepEqual(by('bake', 'release')[0]?.paths, { kind: 'local', context: path.resolve('/w/app'), dockerfile: df });
  assert.equal(by('bake', 'release')[0]?.target?.value?.value, 'build');
  assert.equal(by('bake', 'dev')[0]?.target?.value?.value, 'dev');
  // devcontainer: dockerfile relative to devcontainer.json, not to the context.
  assert.deepEqual(by('devcontainer')[0]?.paths, { kind: 'local', context: path.resolve('/w'), dockerfile: df });
  // Workflow: relative to the repository root; default {context}/Dockerfile.
  assert.deepEqual(
    by('workflow').map((u) => u.paths),
    [
      { kind: 'local', context: path.resolve('/w/app'), dockerfile: df },
      { kind: 'local', context: path.resolve('/w'), dockerfile: df },
    ],
  );
  // node_modules is never searched.
  assert.ok(!idx.indexedFiles().some((f) => f.includes('node_modules')));
  assert.equal(idx.usesOf(df).length, 7);
});

test('references and rename of a stage reach target values only, not Bake target names or group lists', () => {
  const idx = new WorkspaceIndex(ws());
  idx.setRoots(['/w']);
  const model = buildModel(DOCKERFILE);
  const build = model.stages[1]!;
  const uses = idx.usesOf(path.resolve('/w/app/Dockerfile'));
  const refs = targetValuesNaming(uses, model, build);
  // bake `target = "build"` (shared by build and release: listed once) and the workflow's second step.
  assert.deepEqual(refs.map((r) => `${path.basename(r.file)}:${r.range.start.line}`).sort(), ['ci.yml:10', 'docker-bake.hcl:5']);
  const edits = targetRenameEdits(uses, model, build, 'Compile');
  const all = [...edits.values()].flat();
  assert.equal(all.length, 2);
  assert.ok(all.every((e) => e.newText === 'compile'));
  const dev = targetValuesNaming(uses, model, model.stages[2]!);
  assert.deepEqual(dev.map((r) => r.kind).sort(), ['bake', 'compose', 'devcontainer']);
});

test('hostile: a symlink out of the workspace is not followed; symlinked folders are not entered', () => {
  const fs = ws();
  fs.files.set('/etc/secret/docker-bake.hcl', 'target "s" {\n  target = "dev"\n}\n');
  fs.links.set('/w/linked/docker-bake.hcl', '/etc/secret/docker-bake.hcl');
  fs.links.set('/w/inside.yml', '/w/compose.yaml');
  const idx = new WorkspaceIndex(fs);
  idx.setRoots(['/w']);
  assert.ok(!idx.indexedFiles().some((f) => f.includes('linked')));
  assert.ok(!fs.reads.some((r) => r.startsWith('/etc')));
  assert.equal(idx.allUses().filter((u) => u.name === 's').length, 0);
  assert.equal(idx.contains('/etc/secret/docker-bake.hcl'), false);
  assert.equal(idx.contains('/w/linked/docker-bake.hcl'), false);
});

test('hostile: an oversized file is never read whole, and the listing is bounded', () => {
  const fs = ws();
  fs.files.set('/w/big/docker-bake.hcl', 'target "big" {\n  target = "dev"\n}\n' + '#'.repeat(3000));
  const idx = new WorkspaceIndex(fs, { maxFiles: 1000, maxFileBytes: 2000, maxDepth: 10 });
  idx.setRoots(['/w']);
  assert.equal(idx.allUses().filter((u) => u.name === 'big').length, 0);
  for (let i = 0; i < 50; i++) fs.files.set(`/w/many/f${i}.txt`, '');
  const small = new WorkspaceIndex(fs, { maxFiles: 10, maxFileBytes: 2000, maxDepth: 10 });
  small.setRoots(['/w']);
  assert.equal(small.truncated, true);
  assert.ok(small.listed <= 10);
});

test('hostile: a file that vanishes or changes between listing and reading', () => {
  const fs = ws();
  fs.vanishing.add('/w/docker-bake.hcl');
  const idx = new WorkspaceIndex(fs);
  idx.setRoots(['/w']);
  assert.equal(idx.allUses().filter((u) => u.kind === 'bake').length, 0);
  assert.ok(idx.allUses().some((u) => u.kind === 'compose'));
  // It comes back on the next change event, with its new text.
  fs.vanishing.clear();
  fs.files.set('/w/docker-bake.hcl', 'target "later" {\n  context = "app"\n  target = "runtime"\n}\n');
  idx.fileChanged('/w/docker-bake.hcl', false);
  assert.deepEqual(
    idx
      .allUses()
      .filter((u) => u.kind === 'bake')
      .map((u) => u.name),
    ['later'],
  );
  fs.files.delete('/w/docker-bake.hcl');
  idx.fileChanged('/w/docker-bake.hcl', true);
  assert.equal(idx.allUses().filter((u) => u.kind === 'bake').length, 0);
});

test('hostile: a YAML alias bomb in compose.yaml is parsed without expanding it', () => {
  const fs = ws();
  let bomb = 'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  const names = 'bcdefghij';
  let prev = 'a';
  for (const n of names) {
    bomb += `x-${n}: &${n} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]\n`;
    prev = n;
  }
  bomb += `services:\n  api:\n    build:\n      context: ./app\n      target: dev\n    x: *${prev}\n`;
  fs.files.set('/w/compose.yaml', bomb);
  const idx = new WorkspaceIndex(fs);
  idx.setRoots(['/w']);
  assert.equal(idx.allUses().filter((u) => u.kind === 'compose')[0]?.target?.value?.value, 'dev');
});

test('open documents override the disk', () => {
  const idx = new WorkspaceIndex(ws());
  idx.setRoots(['/w']);
  idx.setOpenText('/w/.devcontainer/devcontainer.json', '{ "build": { "dockerfile": "../app/Dockerfile", "target": "runtime" } }');
  assert.equal(idx.allUses().find((u) => u.kind === 'devcontainer')?.target?.value?.value, 'runtime');
});

test('malformed and half-typed HCL, JSON and YAML give errors or nothing, never a throw', () => {
  const inputs = [
    'target "a" {',
    'target "a" {\n  target = \n}',
    'target "a" {\n  target = "de',
    '}}}',
    '"',
    'a = [1, 2',
    'x = <<EOT\nno end',
    'target "a" { target = "x" }',
    '/* open',
    'a = "${unclosed"\nb = 1',
    'a = {\n',
    'a b c d',
    '====',
    '[',
    'target "a" {\n  args = { A = "1", B = 2 }\n  target = "ok"\n}',
  ];
  for (const t of inputs) {
    const r = parseHcl(t);
    assert.ok(Array.isArray(r.errors));
    parseBakeHcl('/w/docker-bake.hcl', t);
    parseDevcontainer('/w/.devcontainer.json', t);
    parseWorkflow('/w/.github/workflows/x.yml', t);
  }
  assert.ok(parseHcl('target "a" {\n  target = "de').errors.length > 0);
  const ok = parseBakeHcl('/w/docker-bake.hcl', 'target "a" {\n  args = { A = "1", B = 2 }\n  target = "ok"\n}');
  assert.equal(ok.errors.length, 0);
  assert.equal(ok.targets[0]?.target?.value?.value, 'ok');
  assert.deepEqual(ok.targets[0]?.args, ['A=1']);
});

test('HCL: comments, heredocs, templates, nested blocks keep positions', () => {
  const src =
    '# c\n// d\n/* e */ variable "V" {\n  default = "x"\n}\ntarget "t" {\n  dockerfile-inline = <<EOT\nFROM a\nEOT\n  tags = ["a:${V}", "b"]\n  target = "${V}"\n  labels = { "k" = "v" }\n  attest { type = "sbom" }\n}\n';
  const f = parseHcl(src);
  assert.deepEqual(f.errors, []);
  const b = parseBakeHcl('/w/docker-bake.hcl', src);
  const t = b.targets[0]!;
  assert.equal(t.inline, true);
  assert.equal(t.target?.value?.dynamic, true);
  assert.equal(t.target?.value?.value, 'x');
  assert.deepEqual(t.target?.value?.range, { start: { line: 10, character: 12 }, end: { line: 10, character: 16 } });
  assert.deepEqual(bakeUses([b])[0]?.paths.kind, 'unknown');
});

test('a quoted Compose target keeps its quotes through a rename', () => {
  const fs = ws();
  fs.files.set('/w/compose.yaml', 'services:\n  api:\n    build:\n      context: ./app\n      target: "dev"\n');
  const idx = new WorkspaceIndex(fs);
  idx.setRoots(['/w']);
  const model = buildModel(DOCKERFILE);
  const edits = targetRenameEdits(idx.usesOf(path.resolve('/w/app/Dockerfile')), model, model.stages[2]!, 'develop');
  const compose = [...edits].find(([u]) => u.endsWith('compose.yaml'))?.[1] ?? [];
  assert.deepEqual(
    compose.map((e) => e.range),
    [{ start: { line: 4, character: 15 }, end: { line: 4, character: 18 } }],
  );
});
