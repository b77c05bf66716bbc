/**
 * Go: `go build` / `go install` outputs (module name from go.mod), CGO_ENABLED=0 for a
 * static binary on scratch, CA certificates and tzdata when the code needs them. Pure.
 */
import { nativeRuntime, type ImageRef } from '../images';
import { optionValue, positionals, joinPath, type SimpleCommand } from '../shell';
import { contextPathOf } from '../steps';
import { base, commandsOf, plan, prog, readContext, resolveIn, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

const GO_VALUE_FLAGS = new Set([
  '-o',
  '-p',
  '-ldflags',
  '-gcflags',
  '-asmflags',
  '-tags',
  '-mod',
  '-modfile',
  '-buildmode',
  '-compiler',
  '-gccgoflags',
  '-installsuffix',
  '-overlay',
  '-pgo',
  '-pkgdir',
  '-toolexec',
  '-C',
  '-buildvcs',
  '-covermode',
  '-coverpkg',
]);

/** The module path declared by a go.mod text. */
export function goModulePath(gomod: string): string | undefined {
  return /^\s*module\s+("?)([^\s"]+)\1/m.exec(gomod)?.[2];
}

/** The name `go build` gives a package's binary: the import path's last element, skipping a /vN suffix. */
export function goBinaryName(importPath: string): string {
  const parts = importPath.split('/').filter(Boolean);
  const last = parts[parts.length - 1] ?? '';
  return /^v\d+$/.test(last) && parts.length > 1 ? (parts[parts.length - 2] ?? '') : last;
}

/** What the Go sources in the context say about the runtime the program needs. */
interface GoScan {
  /** `import "C"`. */
  cgo: boolean;
  /** net/http, crypto/tls or x509 imported, or an https:// URL: TLS needs CA certificates. */
  tls: boolean;
  /** time.LoadLocation used: time zone data needed at run time. */
  zones: boolean;
  /** The program embeds the zone database itself (`import _ "time/tzdata"`). */
  embedsZones: boolean;
  /** Top-level context entries (files, `dir/`) named in string literals: files the program reads at run time. */
  runtimeFiles: Set<string>;
}

const SKIP_DIRS = /^(vendor|testdata|\.git|node_modules)\/$/;
const NOT_RUNTIME =
  /^(go\.mod|go\.sum|go\.work(\.sum)?|vendor\/|\.git\/|\.github\/|\.dockerignore|Dockerfile.*|Makefile|[^/]+\.go|README.*|LICENSE.*|\.gitignore|scripts\/|cmd\/|internal\/|pkg\/)$/;

/** One bounded pass over the module's .go files (at most 400 read, 4 levels deep). undefined when the context cannot be read. */
function scanGo(inp: LanguageInput, moduleDir: string): GoScan | undefined {
  const ctxDir = contextPathOf(inp.copies, moduleDir.replace(/\/$/, '') + '/go.mod')?.replace(/\/?go\.mod$/, '');
  if (ctxDir === undefined || !inp.context?.listFiles) return undefined;
  const top = inp.context.listFiles(ctxDir);
  if (!top) return undefined;
  const scan: GoScan = { cgo: false, tls: false, zones: false, embedsZones: false, runtimeFiles: new Set() };
  const embedded = new Set<string>();
  const literals = new Set<string>();
  let seen = 0;
  const visit = (d: string, names: readonly string[], depth: number) => {
    for (const n of names) {
      const p = d ? `${d}/${n.replace(/\/$/, '')}` : n.replace(/\/$/, '');
      if (n.endsWith('/')) {
        if (depth < 4 && !SKIP_DIRS.test(n) && seen < 400) visit(p, inp.context?.listFiles?.(p) ?? [], depth + 1);
        continue;
      }
      if (!n.endsWith('.go') || n.endsWith('_test.go') || seen++ >= 400) continue;
      const src = inp.context?.readFile?.(p) ?? '';
      if (/^\s*import\s+(\(\s*[^)]*?)?"C"/m.test(src)) scan.cgo = true;
      if (/"(net\/http|crypto\/tls|crypto\/x509)"|"https:\/\//.test(src)) scan.tls = true;
      if (/\btime\.LoadLocation\(/.test(src)) scan.zones = true;
      if (/_\s+"time\/tzdata"/.test(src)) scan.embedsZones = true;
      for (const m of src.matchAll(/^\s*\/\/go:embed\s+(.+)$/gm))
        for (const w of (m[1] ?? '').split(/\s+/)) embedded.add(w.replace(/^\.\//, '').split('/')[0] ?? '');
      for (const m of src.matchAll(/"([^"\\\n]{1,200})"|`([^`\n]{1,200})`/g)) literals.add((m[1] ?? m[2] ?? '').replace(/^\.\//, ''));
    }
  };
  visit(ctxDir, top, 0);
  for (const lit of literals) {
    if (lit.startsWith('/') || /\s|:/.test(lit)) continue;
    const seg = lit.split('/')[0] ?? '';
    const entry = top.find((e) => e === seg || e === `${seg}/`);
    if (!entry || NOT_RUNTIME.test(entry) || embedded.has(seg)) continue;
    // A directory of Go code is a package, not data.
    if (entry.endsWith('/') && (inp.context.listFiles(ctxDir ? `${ctxDir}/${seg}` : seg) ?? []).some((x) => x.endsWith('.go'))) continue;
    scan.runtimeFiles.add(entry);
  }
  return scan;
}

function analyzeGo(inp: LanguageInput): LanguagePlan {
  let need: 'static' | 'glibc' = 'static';
  const p = plan('go', (o) => nativeRuntime(inp.base, need, { ...o, distroless: inp.distroless }), ['go', 'gofmt']);
  const builds = commandsOf(inp.steps, (c) => prog(c) === 'go' && (c.words[1] === 'build' || c.words[1] === 'install'));
  let cgoOff = true;
  let addCgoAt: number | undefined;
  let moduleDir: string | undefined;
  const firstBuild = builds[0]?.step.index;
  for (const { step, cmd } of builds) {
    const cgo = cmd.env.get('CGO_ENABLED') ?? inp.envAt('CGO_ENABLED', step);
    const ldflags = optionValue(cmd.words, ['-ldflags', '--ldflags'], 2) ?? '';
    const staticLink = /-extldflags[= ]+["']?[^"']*-static/.test(ldflags) || /netgo/.test(optionValue(cmd.words, ['-tags', '--tags'], 2) ?? '');
    if (cgo === '1' && !staticLink) {
      need = 'glibc';
      cgoOff = false;
    } else if (cgo === undefined && addCgoAt === undefined) addCgoAt = step.index;
    const cwd = cmd.cwd;
    moduleDir ??= cwd;
    const pkgs = positionals(cmd.words, 2, GO_VALUE_FLAGS);
    const out = optionValue(cmd.words, ['-o', '--o'], 2);
    const modName = (dir: string | undefined) => {
      const gomod = dir ? readContext(inp, dir.replace(/\/$/, '') + '/go.mod') : undefined;
      const mod = gomod ? goModulePath(gomod) : undefined;
      return mod ? goBinaryName(mod) : undefined;
    };
    const nameOf = (pkg: string | undefined): string | undefined => {
      if (pkg === undefined || pkg === '.' || pkg === './') return modName(cwd);
      if (pkg.endsWith('.go')) return base(pkg).replace(/\.go$/, '');
      if (pkg.includes('...')) return undefined;
      const at = pkg.split('@')[0] ?? '';
      return goBinaryName(at);
    };
    if (cmd.words[1] === 'build') {
      if (pkgs.some((x) => x.includes('...')) && !out) continue; // several packages: go build discards the results
      if (out) {
        const path = resolveIn(cwd, out);
        if (path === undefined) p.todos.push(`Could not tell where \`${cmd.text}\` writes its binary (the working directory is unknown).`);
        else {
          const dir = out.endsWith('/') || (pkgs.length > 1 && !pkgs.every((x) => x.endsWith('.go')));
          p.artifacts.push({
            from: dir && !path.endsWith('/') ? path + '/' : path,
            to: dir && !path.endsWith('/') ? path + '/' : path,
            why: `built by \`go build\``,
          });
        }
      } else {
        const name = nameOf(pkgs.find((x) => !x.endsWith('.go')) ?? (pkgs[0]?.endsWith('.go') ? pkgs[0] : undefined));
        if (name && cwd) p.artifacts.push({ from: joinPath(cwd, name), to: joinPath(cwd, name), why: 'built by `go build`' });
        // Otherwise: the program the container runs names it (see convert.ts).
      }
    } else {
      const gobin = cmd.env.get('GOBIN') ?? inp.envAt('GOBIN', step);
      const gopath = cmd.env.get('GOPATH') ?? inp.envAt('GOPATH', step) ?? '/go';
      const dir = gobin ?? `${gopath.split(':')[0]}/bin`;
      const pkgList = pkgs.length ? pkgs : ['.'];
      for (const pkg of pkgList) {
        const name = nameOf(pkg);
        if (name) p.artifacts.push({ from: joinPath(dir, name), to: joinPath(dir, name), why: 'installed by `go install`' });
        else p.todos.push(`Could not tell the name of the binary \`${cmd.text}\` installs into ${dir}.`);
      }
    }
  }
  // `CMD go run …` without a build: the builder compiles it (static unless the code uses cgo).
  const compiled = builds.length ? undefined : goRunToBinary(inp, p);
  if (compiled) moduleDir ??= inp.finalWorkdir;
  const scan = moduleDir ? scanGo(inp, moduleDir) : undefined;
  if (compiled && !scan?.cgo) compiled.env = 'CGO_ENABLED=0 ';
  if (cgoOff && scan?.cgo) {
    need = 'glibc';
    cgoOff = false;
    addCgoAt = undefined;
    p.notes.push('The program uses cgo (import "C"): it runs on a glibc image.');
  }
  if (!cgoOff) p.systemLibs = 'mapped-or-todo';
  if (cgoOff && addCgoAt !== undefined) {
    p.insertions.push({
      before: addCgoAt,
      lines: [
        '# Added by the conversion: a static binary that runs without libc (in scratch).',
        '# Without it, a program that uses net or os/user links against glibc and fails to start there.',
        'ENV CGO_ENABLED=0',
      ],
      // A glibc runtime (a base with a shell) runs the cgo binary as it is.
      when: (rt) => rt.image === 'scratch' || rt.image.includes('distroless/static'),
    });
  }
  if (scan?.tls) {
    p.artifacts.push({
      from: '/etc/ssl/certs/ca-certificates.crt',
      to: '/etc/ssl/certs/ca-certificates.crt',
      why: 'CA certificates for TLS (the program imports net/http or crypto/tls, or names an https:// URL)',
      comment: ['Added by the conversion: CA certificates, for the TLS connections the program makes (net/http, https://).'],
    });
  }
  const tzEnv = inp.steps.some((s) => s.keyword === 'ENV' && /^\s*TZ[= ]/.test(s.body));
  const tzInstalled = inp.steps.some((s) => s.commands.some((c) => /^(apt-get|apt|apk)$/.test(prog(c)) && c.words.includes('tzdata')));
  if ((scan?.zones || tzEnv) && !scan?.embedsZones && !tzInstalled && firstBuild !== undefined)
    zoneData(
      inp,
      p,
      builds.map((b) => b.cmd),
      firstBuild,
    );
  if (moduleDir && scan) addRuntimeFiles(p, moduleDir, scan.runtimeFiles);
  const first = builds.find((b) => b.cmd.words[1] === 'build');
  if (first) {
    const pkgs = positionals(first.cmd.words, 2, GO_VALUE_FLAGS).filter((x) => !x.includes('...'));
    p.devCommand = ['go', 'run', ...(pkgs.length ? pkgs : ['.'])];
  }
  return p;
}

const GO_RUN_FLAGS = new Set([...GO_VALUE_FLAGS, '-exec']);

/**
 * `CMD go run <pkg> [args]`: the program is compiled when the container starts, by a
 * toolchain the runtime does not have. The builder compiles it instead, and the
 * command runs the binary.
 */
function goRunToBinary(inp: LanguageInput, p: LanguagePlan): { env: string } | undefined {
  const run = inp.steps.find((s) => (s.keyword === 'CMD' || s.keyword === 'ENTRYPOINT') && /^\s*(\[\s*"go"\s*,\s*"run"|go\s+run\b)/.test(s.body));
  const words = inp.runtimeWords.find((w) => w[0] === 'go' && w[1] === 'run');
  if (!run || !words || inp.finalWorkdir === undefined) return undefined;
  // go run [build flags] <package or files> [arguments]
  let i = 2;
  const flags: string[] = [];
  while (i < words.length && (words[i] ?? '').startsWith('-')) {
    const f = words[i] ?? '';
    flags.push(f);
    if (GO_RUN_FLAGS.has(f) && !f.includes('=')) flags.push(words[++i] ?? '');
    i++;
  }
  const pkgs: string[] = [];
  if (words[i]?.endsWith('.go')) while (words[i]?.endsWith('.go')) pkgs.push(words[i++] ?? '');
  else if (words[i] !== undefined) pkgs.push(words[i++] ?? '');
  const args = words.slice(i);
  const gomod = readContext(inp, `${inp.finalWorkdir.replace(/\/$/, '')}/go.mod`);
  const mod = gomod ? goModulePath(gomod) : undefined;
  const pkg = pkgs[0] ?? '.';
  const name = pkg.endsWith('.go') ? base(pkg).replace(/\.go$/, '') : pkg === '.' || pkg === './' ? (mod ? goBinaryName(mod) : 'app') : goBinaryName(pkg);
  const out = joinPath(inp.finalWorkdir, name === 'main' ? 'app' : name);
  const state = { env: '' };
  const build = `go build ${[...flags, '-o', out, ...pkgs].map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : JSON.stringify(w))).join(' ')}`;
  p.insertions.push({
    before: inp.steps.length,
    get lines() {
      return [`# Added by the conversion: compile the program here; the runtime image has no Go toolchain for \`go run\`.`, `RUN ${state.env}${build}`];
    },
  });
  p.artifacts.push({ from: out, to: out, why: 'compiled from `go run`' });
  p.rewriteCommand = (s) =>
    s === run
      ? {
          comment: ['Rewritten by the conversion: run the binary the builder compiled (the runtime has no `go`). Was:'],
          line: `${s.keyword} ${JSON.stringify([out, ...args]).replace(/","/g, '", "')}`,
          note: `${s.keyword} \`go run\` runs the compiled ${out} instead.`,
        }
      : undefined;
  p.devCommand = ['go', 'run', ...flags, ...pkgs];
  return state;
}

/** Time zone data for a static binary: embedded with `-tags timetzdata` (GOFLAGS), or the builder's zoneinfo copied when the build sets its own tags. */
function zoneData(inp: LanguageInput, p: LanguagePlan, builds: readonly SimpleCommand[], before: number): void {
  const ownTags =
    builds.some((c) => optionValue(c.words, ['-tags', '--tags'], 2) !== undefined) ||
    inp.steps.some((s) => s.env.has('GOFLAGS') || (s.keyword === 'ENV' && /\bGOFLAGS\b/.test(s.body)));
  if (!ownTags) {
    p.insertions.push({
      before,
      lines: [
        '# Added by the conversion: the time zone database inside the binary (time.LoadLocation, TZ); scratch has no /usr/share/zoneinfo.',
        'ENV GOFLAGS=-tags=timetzdata',
      ],
    });
  } else {
    p.artifacts.push({
      from: '/usr/share/zoneinfo/',
      to: '/usr/share/zoneinfo/',
      why: 'time zone data (time.LoadLocation, TZ)',
      comment: ['Added by the conversion: time zone data (the program uses time.LoadLocation or TZ).'],
    });
  }
}

export const go: LanguageModule = {
  id: 'go',
  name: 'Go',
  ofImage: (ref: ImageRef) => ref.name === 'golang',
  isToolchainImage: () => true,
  buildsWith: (c: SimpleCommand) => prog(c) === 'go' && (c.words[1] === 'build' || c.words[1] === 'install'),
  runsFromSource: (words) => base(words[0] ?? '') === 'go' && words[1] === 'run',
  systemLibs: 'none',
  devWithArgs: (dev, args) => [...dev, ...args],
  analyse: analyzeGo,
};

/** Files the Go source names as read at run time travel to the runtime stage. */
function addRuntimeFiles(p: ReturnType<typeof plan>, moduleDir: string, files: Iterable<string>): void {
  for (const entry of [...files].sort()) {
    const path = joinPath(moduleDir, entry);
    p.artifacts.push({
      from: path,
      to: path,
      why: 'read by the program at run time',
      comment: [`Added by the conversion: the program reads ${entry} at run time (named in its Go source).`],
    });
  }
}
