/** "Convert to multi-stage build": helpers, traps, LSP actions, CLI, and the never-lose-a-line rule over every Dockerfile here. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { convertToMultiStage, detectToolchain, lostLines } from '../../server/src/convert/convert';
import { dotnetRuntime, javaRuntime, javaVersion, nativeRuntime, parseImage, slimVariant } from '../../server/src/convert/images';
import { goBinaryName, goModulePath } from '../../server/src/convert/languages/go';
import { cargoBinaries } from '../../server/src/convert/languages/rust';
import { mavenJarName } from '../../server/src/convert/languages/java';
import { parseExtractions } from '../../server/src/convert/merge';
import { instructionBody, simpleCommands, toExecForm } from '../../server/src/convert/shell';
import { buildModel } from '../../server/src/model/model';
import { computeConvertActions, contextForDocument, convertProblems } from '../../server/src/features/convert';
import { toDiagnostic } from '../../server/src/features/diagnostics';

const root = path.resolve(__dirname, '../../..');
const conv = (text: string) => convertToMultiStage(buildModel(text));
const runtimePart = (text: string) => text.slice(text.lastIndexOf('\nFROM '));

function dockerfiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' || f.endsWith('.context') ? [] : dockerfiles(p);
    return /(^Dockerfile|\.Dockerfile$)/.test(f) ? [p] : [];
  });
}

test('never lose a line: every Dockerfile in the repository converts with all its lines, or is not offered', () => {
  const files = [...dockerfiles(path.join(root, 'test/fixtures')), ...dockerfiles(path.join(root, 'test/apps'))];
  assert.ok(files.length > 60, `found ${files.length} Dockerfiles`);
  let offered = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const devStage of [false, true]) {
      const c = convertToMultiStage(buildModel(text), { devStage });
      if (!c) continue;
      offered++;
      assert.deepEqual(c.lost, [], `${path.relative(root, f)}${devStage ? ' (with dev stage)' : ''}`);
      assert.deepEqual(lostLines(text, c.text), []);
    }
  }
  assert.ok(offered > 40, `offered for ${offered} files`);
});

test('lostLines finds a dropped instruction, a dropped comment, and accepts rewritten and renamed lines', () => {
  assert.deepEqual(lostLines('FROM a\n# note\nRUN x\n', 'FROM a AS b\n# note\n'), ['RUN x']);
  assert.deepEqual(lostLines('FROM a\n# note\nRUN x\n', 'FROM a\nRUN x\n'), ['# note']);
  assert.deepEqual(lostLines('FROM a\nCMD ./x y\n', 'FROM a AS builder\n# CMD ./x y\nCMD ["./x", "y"]\n'), []);
  assert.deepEqual(lostLines('FROM a\nRUN x\nRUN x\n', 'FROM a\nRUN x\n'), ['RUN x'], 'counts duplicates');
});

test('trap: Go for scratch gets CGO_ENABLED=0 before its first build; explicit cgo keeps glibc', () => {
  const c = conv('FROM golang:1.19\nWORKDIR /s\nCOPY . .\nRUN go vet ./...\nRUN go build -o /app .\nCMD ["/app"]\n');
  assert.ok(c);
  assert.equal(c.runtimeImage, 'scratch');
  assert.match(c.text, /ENV CGO_ENABLED=0\nRUN go build/);
  const cgo = conv('FROM golang:1.19\nCOPY . /s\nRUN cd /s && CGO_ENABLED=1 go build -o /app .\nCMD ["/app"]\n');
  assert.equal(cgo?.runtimeImage, 'gcr.io/distroless/cc-debian12');
  assert.doesNotMatch(cgo?.text ?? '', /CGO_ENABLED=0/);
  const already = conv('FROM golang:1.19\nWORKDIR /s\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\nCMD ["/app"]\n');
  assert.equal((already?.text.match(/CGO_ENABLED=0/g) ?? []).length, 1, 'not added twice');
});

test('trap: a shell-form CMD becomes exec form in a shell-less image, or the image keeps a shell', () => {
  const simple = conv('FROM gcc:12\nWORKDIR /w\nCOPY . .\nRUN make\nCMD ./hello --name world\n');
  assert.ok(simple);
  assert.match(runtimePart(simple.text), /\n# CMD \.\/hello --name world\nCMD \["\.\/hello", "--name", "world"\]\n/);
  const vars = conv('FROM gcc:12\nWORKDIR /w\nCOPY . .\nRUN make\nCMD ./hello --port $PORT\n');
  assert.equal(vars?.runtimeImage, 'debian:bookworm-slim');
  assert.match(vars?.text ?? '', /\nCMD \.\/hello --port \$PORT\n/);
  const pipe = conv('FROM golang:1.19\nWORKDIR /w\nCOPY . .\nRUN go build -o app .\nCMD ./app | tee /tmp/log\n');
  assert.equal(pipe?.runtimeImage, 'debian:bookworm-slim');
  const entry = conv('FROM golang:1.19\nWORKDIR /w\nCOPY . .\nRUN go build -o app .\nENTRYPOINT ./app\nCMD ["x"]\n');
  assert.equal(entry?.runtimeImage, 'debian:bookworm-slim', 'a shell-form ENTRYPOINT ignores CMD: converting it would not');
  const sh = conv('FROM golang:1.19\nWORKDIR /w\nCOPY . .\nRUN go build -o app .\nCMD ["sh", "-c", "./app"]\n');
  assert.equal(sh?.runtimeImage, 'debian:bookworm-slim');
});

test('trap: an ARG used in both stages is declared in both (global ones without a value)', () => {
  const c = conv(
    'ARG REG=x\nFROM golang:1.19\nARG REG\nARG V=1\nWORKDIR /w\nCOPY . .\nRUN go build -o /out/app-$V .\nLABEL version=$V registry=$REG\nCMD ["/out/app-1"]\n',
  );
  assert.ok(c);
  const rt = runtimePart(c.text);
  assert.match(rt, /\nARG V=1\n/);
  assert.match(rt, /\nARG REG\n/);
  assert.match(rt, /COPY --from=builder \/out\/app-\$V \/out\/app-\$V/);
  assert.doesNotMatch(rt, /COPY --from=builder \/out\/app-1 /, 'the CMD path is the same file as the $V one');
});

test('trap: a user created in the builder exists in the runtime image', () => {
  const scratch = conv('FROM golang:1.19\nRUN useradd app\nWORKDIR /w\nCOPY . .\nRUN go build -o app .\nUSER app\nCMD ["./app"]\n');
  assert.match(runtimePart(scratch?.text ?? ''), /COPY --from=builder \/etc\/passwd \/etc\/group \/etc\/\nUSER app/);
  const slim = conv('FROM python:3.11\nRUN useradd -m -s /bin/bash app\nWORKDIR /w\nCOPY . .\nRUN pip install -r r.txt\nUSER app\nCMD ["python", "m.py"]\n');
  assert.match(runtimePart(slim?.text ?? ''), /\nRUN useradd -m -s \/bin\/bash app\n/);
});

test('runtime configuration moves; state before the build stays in the builder and is repeated where it matters', () => {
  const c = conv(
    'FROM node:18\nENV NPM_CONFIG_LOGLEVEL=warn\nENV APP_HOME=/srv/app\nWORKDIR $APP_HOME\nCOPY . .\nRUN npm ci\nEXPOSE 80\nVOLUME /data\nSTOPSIGNAL SIGTERM\nLABEL a=b\nCMD ["node", "i.js"]\n',
  );
  assert.ok(c);
  const [builder, rt] = [c.text.slice(0, c.text.lastIndexOf('\nFROM ')), runtimePart(c.text)];
  for (const kw of ['EXPOSE', 'VOLUME', 'STOPSIGNAL', 'LABEL', 'CMD']) {
    assert.doesNotMatch(builder, new RegExp(`\\n${kw} `), `${kw} left the builder`);
    assert.match(rt, new RegExp(`\\n${kw} `), `${kw} is in the runtime`);
  }
  assert.match(rt, /\nENV APP_HOME=\/srv\/app\n/);
  assert.doesNotMatch(rt, /NPM_CONFIG_LOGLEVEL/, 'toolchain settings stay behind');
  assert.match(rt, /\nWORKDIR \/srv\/app\n/);
  assert.match(rt, /COPY --from=builder \/srv\/app\/ \/srv\/app\//);
});

test('not offered: multi-stage, no build, slim or JRE bases, Windows; offered on a plain OS with a compiler', () => {
  assert.equal(conv('FROM golang:1.19 AS b\nRUN go build -o /a .\nFROM scratch\nCOPY --from=b /a /a\n'), undefined);
  assert.equal(conv('FROM golang:1.19\nCMD ["go", "version"]\n'), undefined);
  assert.equal(conv('FROM node:18-slim\nWORKDIR /a\nCOPY . .\nRUN npm ci\nCMD ["node", "i.js"]\n'), undefined);
  assert.equal(conv('FROM eclipse-temurin:17-jre\nCOPY a.jar /a.jar\nRUN java -version\n'), undefined);
  assert.equal(conv('FROM mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022\nWORKDIR /s\nRUN dotnet publish -o /o\n'), undefined);
  assert.equal(conv('FROM scratch\nCOPY a /a\n'), undefined);
  assert.equal(
    detectToolchain(buildModel('FROM debian:bookworm\nRUN apt-get install -y build-essential\nCOPY . /w\nRUN make -C /w\nCMD ["/w/tool"]\n'))?.language,
    'c',
  );
});

test('placeholders: an unknown artifact gives a COPY that fails the build, never a silent one', () => {
  const c = conv('FROM gcc:12\nCOPY . /w\nRUN make -C /w\nCMD ["tool"]\n');
  assert.ok(c);
  assert.ok(c.todos.length > 0);
  assert.match(c.text, /# TODO\(convert\)/);
  assert.match(c.text, /\nCOPY --from=builder \/TODO\/path\/to\/artifact \/TODO\/destination\/\n/);
});

test('shell reader: commands, cd, env prefixes, quotes, redirections, heredoc bodies', () => {
  const cmds = simpleCommands(`cd app && CGO_ENABLED=0 GOOS=linux go build -o "out dir/x" . ; echo 'a && b' > /dev/null | cat`, '/src');
  assert.deepEqual(
    cmds.map((c) => c.words),
    [['cd', 'app'], ['go', 'build', '-o', 'out dir/x', '.'], ['echo', 'a && b'], ['cat']],
  );
  assert.equal(cmds[1]?.cwd, '/src/app');
  assert.equal(cmds[1]?.env.get('CGO_ENABLED'), '0');
  assert.equal(simpleCommands('cd $DIR && make', '/')[1]?.cwd, undefined, 'a substitution ends the tracking');
  const m = buildModel('FROM a\nRUN set -e; \\\n  # note\n  make \\\n    all\nRUN <<EOF\ncd /x\nmake\nEOF\n');
  const [r1, r2] = m.stages[0]?.instructions ?? [];
  assert.equal(instructionBody(m.parsed.lines, r1!, '\\').replace(/\s+/g, ' '), 'set -e; make all');
  assert.deepEqual(
    simpleCommands(instructionBody(m.parsed.lines, r2!, '\\'), '/').map((c) => c.words),
    [['cd', '/x'], ['make']],
  );
  assert.deepEqual(toExecForm('./app --port 8080'), ['./app', '--port', '8080']);
  for (const s of ['./app $X', './a && ./b', './a > log', "./a 'q'", 'A=1 ./a', './a *.txt', './a # c']) assert.equal(toExecForm(s), undefined, s);
});

test('images: runtime bases by language and tag', () => {
  assert.equal(slimVariant(parseImage('node:18'), 'node'), 'node:18-slim');
  assert.equal(slimVariant(parseImage('node:20-bookworm'), 'node'), 'node:20-bookworm-slim');
  assert.equal(slimVariant(parseImage('python:3.11-bookworm'), 'python'), 'python:3.11-slim-bookworm');
  assert.equal(slimVariant(parseImage('python:3.12-alpine'), 'python'), 'python:3.12-alpine');
  assert.equal(slimVariant(parseImage('docker.io/library/node'), 'node'), 'node:slim');
  assert.equal(slimVariant(parseImage('node:${V}'), 'node'), 'node:${V}-slim');
  assert.equal(javaVersion(parseImage('maven:3.8-openjdk-17')), '17');
  assert.equal(javaVersion(parseImage('maven:3.9-eclipse-temurin-21-alpine')), '21');
  assert.equal(javaVersion(parseImage('gradle:7.6-jdk11')), '11');
  assert.equal(javaVersion(parseImage('eclipse-temurin:17.0.8_7-jdk-jammy')), '17');
  assert.equal(javaRuntime(parseImage('maven:3.9')).image, 'eclipse-temurin:21-jre');
  assert.equal(javaRuntime(parseImage('maven:3.9')).guessed, true);
  assert.equal(dotnetRuntime(parseImage('mcr.microsoft.com/dotnet/sdk:8.0-alpine'), 'aspnet'), 'mcr.microsoft.com/dotnet/aspnet:8.0-alpine');
  const o = { shell: false, apt: false, distroless: false };
  assert.equal(nativeRuntime(parseImage('golang:1.19'), 'static', o).image, 'scratch');
  assert.equal(nativeRuntime(parseImage('golang:1.19'), 'static', { ...o, distroless: true }).image, 'gcr.io/distroless/static-debian12');
  assert.equal(nativeRuntime(parseImage('rust:1.63-bullseye'), 'glibc', o).image, 'gcr.io/distroless/cc-debian11');
  assert.equal(nativeRuntime(parseImage('rust:1.63-bullseye'), 'glibc', { ...o, shell: true }).image, 'debian:bullseye-slim');
  assert.equal(parseImage('localhost:5000/team/app:1.0@sha256:abc').name, 'app');
});

test('language files: go.mod, Cargo.toml, pom.xml', () => {
  assert.equal(goModulePath('// x\nmodule "example.com/a/b/v3"\n\ngo 1.19\n'), 'example.com/a/b/v3');
  assert.equal(goBinaryName('example.com/a/b/v3'), 'b');
  assert.equal(goBinaryName('./cmd/server'), 'server');
  assert.deepEqual(cargoBinaries('[package]\nname = "p"\n[[bin]]\nname = "a"\n[[bin]]\nname = "b"\n'), ['a', 'b']);
  assert.deepEqual(cargoBinaries('[package]\nname = "p" # comment\nversion = "1"\n'), ['p']);
  assert.equal(mavenJarName('<project><parent><version>9</version></parent><artifactId>shop</artifactId><version>2.1</version></project>'), 'shop-2.1.jar');
  assert.equal(mavenJarName('<project><artifactId>x</artifactId><version>1</version><build><finalName>app</finalName></build></project>'), 'app.jar');
  assert.equal(mavenJarName('<project><artifactId>x</artifactId><version>${revision}</version></project>'), undefined);
});

test('builder pattern: docker cp and docker run cat in the script', () => {
  const { extractions, images } = parseExtractions(
    'docker build -t img:build -f Dockerfile.build .\nid=$(docker create img:build)\ndocker cp "$id":/go/bin/app ./bin/app\ndocker run --rm img:build cat /out/tool > tool && chmod +x tool\n',
  );
  assert.deepEqual(extractions, [
    { from: '/go/bin/app', to: 'bin/app' },
    { from: '/out/tool', to: 'tool' },
  ]);
  assert.deepEqual(images, ['img:build']);
});

test('LSP: information diagnostic; quick fix for it, refactorings anywhere in the stage, dev stage for multi-stage files', () => {
  const uri = 'file:///w/Dockerfile';
  const m = buildModel('FROM golang:1.19\nWORKDIR /s\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n');
  const problems = convertProblems(m);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.code, 'single-stage-toolchain');
  assert.equal(problems[0]?.severity, 'information');
  assert.deepEqual(problems[0]?.range, { start: { line: 0, character: 5 }, end: { line: 0, character: 16 } });
  const diag = toDiagnostic(problems[0], uri);
  const at = { start: { line: 0, character: 6 }, end: { line: 0, character: 6 } };
  const actions = computeConvertActions(m, uri, at, [diag]);
  assert.deepEqual(
    actions.map((a) => a.kind),
    ['quickfix', 'refactor.rewrite'],
  );
  assert.equal(actions[0]?.isPreferred, true);
  assert.deepEqual(actions[0]?.diagnostics, [diag]);
  const edit = actions[0]?.edit?.changes?.[uri]?.[0];
  assert.deepEqual(edit?.range, { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } });
  assert.match(edit?.newText ?? '', /^FROM golang:1\.19 AS builder\n[\s\S]*\nFROM scratch AS runtime\n/);
  const refactors = computeConvertActions(m, uri, { start: { line: 3, character: 0 }, end: { line: 3, character: 3 } }, []);
  assert.deepEqual(
    refactors.map((a) => a.kind),
    ['refactor.rewrite', 'refactor.rewrite'],
  );
  assert.match(refactors[1]?.title ?? '', /with a dev stage/);
  const multi = buildModel('FROM golang:1.19 AS build\nRUN go build -o /a .\nFROM scratch\nCOPY --from=build /a /a\nCMD ["/a"]\n');
  assert.equal(convertProblems(multi).length, 0);
  const dev = computeConvertActions(multi, uri, at, []);
  assert.equal(dev.length, 1);
  assert.equal(computeConvertActions(multi, uri, { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, []).length, 0, 'only on a FROM line');
  assert.match(dev[0]?.title ?? '', /Add a 'dev' stage/);
  assert.equal(
    computeConvertActions(buildModel('FROM golang:1.19 AS dev\nRUN go build -o /a .\nFROM scratch\nCOPY --from=dev /a /a\n'), uri, at, []).length,
    0,
    'a dev stage exists',
  );
});

test('context: the directory of a file URI; paths that leave it are refused', () => {
  const seen: string[] = [];
  const ctx = contextForDocument('file:///work/my%20app/Dockerfile', { readFile: (p) => (seen.push(p), 'x'), readDir: () => [] });
  assert.equal(ctx?.readFile?.('go.mod'), 'x');
  assert.equal(ctx?.readFile?.('../secret'), undefined);
  assert.equal(ctx?.readFile?.('/etc/passwd'), undefined);
  assert.deepEqual(seen, ['/work/my app/go.mod']);
  assert.equal(contextForDocument('untitled:Untitled-1', { readFile: () => 'x', readDir: () => [] }), undefined);
});

const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), ...args], { encoding: 'utf8', cwd: root });

test('CLI convert: prints, --write rewrites, --json, exit codes; reads the build context next to the file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'convert-'));
  writeFileSync(path.join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.19\n');
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM golang:1.19\nWORKDIR /app\nCOPY . .\nRUN go build\nCMD ./hello\n');
  const r = cli('convert', path.join(dir, 'Dockerfile'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /COPY --from=builder \/app\/hello \/app\/hello\n/);
  assert.match(r.stderr, /note: CMD is written in exec form/);
  const j = cli('convert', '--json', '--dev', path.join(dir, 'Dockerfile'));
  const parsed = JSON.parse(j.stdout) as { language: string; runtime: string; text: string };
  assert.equal(parsed.language, 'go');
  assert.match(parsed.text, / AS dev\n/);
  const w = cli('convert', '--write', path.join(dir, 'Dockerfile'));
  assert.equal(w.status, 0, w.stderr);
  assert.match(readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), /FROM scratch AS runtime/);
  const again = cli('convert', path.join(dir, 'Dockerfile'));
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already a multi-stage build \(2 stages\)/);
  assert.equal(cli('convert').status, 2);
  assert.equal(cli('convert', 'a', 'b').status, 2);
});

test('CLI merge-builder: three files in, one multi-stage Dockerfile out', () => {
  const d = path.join(root, 'test/fixtures/convert/merge/go-docker-cp');
  const r = cli('merge-builder', path.join(d, 'Dockerfile.build'), path.join(d, 'Dockerfile'), path.join(d, 'build.sh'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^FROM golang:1\.19 AS builder$/m);
  assert.match(r.stdout, /^COPY --from=builder \/go\/src\/github\.com\/alexellis\/href-counter\/app \.$/m);
  const dir = mkdtempSync(path.join(tmpdir(), 'merge-'));
  for (const f of ['Dockerfile.build', 'Dockerfile', 'build.sh']) writeFileSync(path.join(dir, f), readFileSync(path.join(d, f)));
  const w = cli('merge-builder', '--write', path.join(dir, 'Dockerfile.build'), path.join(dir, 'Dockerfile'), path.join(dir, 'build.sh'));
  assert.equal(w.status, 0, w.stderr);
  assert.equal(buildModel(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).stages.length, 2);
  assert.ok(existsSync(path.join(dir, 'Dockerfile.build')), 'the other files are left for the user to delete');
  assert.equal(cli('merge-builder', path.join(d, 'Dockerfile')).status, 2);
});

test('fuzz: mutated Dockerfiles never throw, and an offered conversion never loses a line', () => {
  let seed = 0x5eed;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = [
    '\\\n',
    '\n',
    ' ',
    '#',
    '"',
    "'",
    '$',
    '${',
    '}',
    '&&',
    '|',
    ';',
    '<<EOF\n',
    'EOF\n',
    '[',
    ']',
    '\r\n',
    '`',
    'RUN go build -o x\n',
    'CMD ',
    'COPY . .\n',
    'WORKDIR ',
    'USER a\n',
    'ARG A=1\n',
    'ENV A=$A\n',
    'FROM golang:1.19\n',
    '\t',
    '\uFEFF',
  ];
  const sources = dockerfiles(path.join(root, 'test/fixtures/convert')).map((f) => readFileSync(f, 'utf8'));
  // A fixed number of seeded runs (not a time budget: a loaded machine must not change what is tested).
  let runs = 0;
  while (runs < 600) {
    let text = sources[rnd(sources.length)] as string;
    for (let k = rnd(4) + 1; k > 0; k--) {
      const at = rnd(text.length + 1);
      const op = rnd(3);
      if (op === 0) text = text.slice(0, at) + (pieces[rnd(pieces.length)] ?? '') + text.slice(at);
      else if (op === 1) text = text.slice(0, at) + text.slice(at + rnd(12));
      else {
        const lines = text.split('\n');
        const i = rnd(lines.length);
        lines.splice(rnd(lines.length), 0, lines[i] as string);
        text = lines.join('\n');
      }
    }
    const model = buildModel(text);
    const c = convertToMultiStage(model, { devStage: rnd(2) === 0 });
    if (c) assert.deepEqual(c.lost, [], `lost lines converting:\n${text}`);
    computeConvertActions(model, 'file:///f/Dockerfile', { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, []);
    runs++;
  }
  assert.equal(runs, 600);
});

test('shell reader: substitutions stay inside their word; package lists are not guessed from them', () => {
  assert.deepEqual(
    simpleCommands('apt-get install -y $(cat /pk.txt) libvips42 && echo `uname -r` ${X:-"a b"}', '/').map((c) => c.words),
    [
      ['apt-get', 'install', '-y', '$(cat /pk.txt)', 'libvips42'],
      ['echo', '`uname -r`', '${X:-"a b"}'],
    ],
  );
  const c = conv(
    'FROM golang:1.19\nRUN apt-get update && apt-get install -y $(cat /pk.txt) libvips42\nWORKDIR /a\nCOPY . .\nRUN go build -o x .\nCMD ["./x"]\n',
  );
  assert.equal(c?.runtimeImage, 'debian:bookworm-slim', 'a runtime library needs a glibc image with apt');
  assert.match(c?.text ?? '', /install -y --no-install-recommends libvips42 &&/);
  assert.doesNotMatch(c?.text ?? '', /ENV CGO_ENABLED=0/, 'glibc runtime: the cgo build runs as it is');
});
