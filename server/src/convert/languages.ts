/**
 * Per-language knowledge for the multi-stage conversion: which RUN steps
 * build, what they produce and where, what the runtime image must be, and
 * what the builder must do differently (CGO_ENABLED=0, a virtualenv, pruning
 * devDependencies). Every guess that could be wrong becomes a TODO instead. Pure.
 */
import { dotnetRuntime, isAlpine, javaRuntime, nativeRuntime, osRuntime, slimVariant, type ImageRef, type RuntimeChoice } from './images';
import { joinPath, optionValue, positionals, type SimpleCommand } from './shell';
import { contextPathOf, type ContextCopy, type ConvertContext, type Step } from './steps';

export type Language = 'go' | 'node' | 'python' | 'rust' | 'java' | 'dotnet' | 'c' | 'generic';

export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  go: 'Go',
  node: 'Node.js',
  python: 'Python',
  rust: 'Rust',
  java: 'Java',
  dotnet: '.NET',
  c: 'C/C++',
  generic: 'native',
};

export interface Artifact {
  /** Absolute path in the builder (a directory ends with `/`). */
  from: string;
  /** Absolute path in the runtime image. */
  to: string;
  /** Why it is copied (shown as a comment). */
  why: string;
}

export interface Insertion {
  /** Insert before this step (index into steps); `steps.length` means after the last step of the builder. */
  readonly before: number;
  readonly lines: readonly string[];
  /** Only for this kind of runtime image (default: always). */
  readonly when?: (runtime: RuntimeChoice) => boolean;
}

export interface LanguagePlan {
  readonly language: Language;
  artifacts: Artifact[];
  insertions: Insertion[];
  /** Lines at the top of the runtime stage (ENV PATH for a virtualenv, …). */
  runtimeEnv: string[];
  /** Commands the runtime image provides by name (node, python3, java…). */
  tools: Set<string>;
  /** Bare command names found on a PATH directory the plan copies (a virtualenv's bin). */
  pathDirs: string[];
  /** Packages the runtime needs that the builder got from its own base (e.g. nodejs on a plain Debian builder). */
  runtimePackages: string[];
  todos: string[];
  notes: string[];
  /** The runtime image, given whether it needs a shell and a package manager. */
  choose(opts: { shell: boolean; apt: boolean }): RuntimeChoice;
  /** A command that runs the program from source, for a dev stage (exec form words), when one is known. */
  devCommand: string[] | undefined;
  /** Program names that are the toolchain: a runtime command using one needs the builder, not a runtime image. */
  toolchainCommands: ReadonlySet<string>;
}

export interface LanguageInput {
  readonly steps: readonly Step[];
  readonly base: ImageRef;
  readonly language: Language;
  readonly context: ConvertContext | undefined;
  readonly copies: readonly ContextCopy[];
  readonly finalWorkdir: string | undefined;
  /** The program and arguments the container runs (ENTRYPOINT + CMD), when known, for artifact hints. */
  readonly runtimeWords: readonly (readonly string[])[];
  readonly distroless: boolean;
  /** An ENV in the Dockerfile or the base image's convention, e.g. GOPATH. */
  envAt(name: string, step: Step): string | undefined;
}

const base = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? p;
const prog = (c: SimpleCommand) => base(c.words[0] ?? '');

function plan(language: Language, choose: LanguagePlan['choose'], toolchain: string[], tools: string[] = []): LanguagePlan {
  return {
    language,
    artifacts: [],
    insertions: [],
    runtimeEnv: [],
    tools: new Set(tools),
    pathDirs: [],
    runtimePackages: [],
    todos: [],
    notes: [],
    choose,
    devCommand: undefined,
    toolchainCommands: new Set(toolchain),
  };
}

function commandsOf(steps: readonly Step[], pred: (c: SimpleCommand) => boolean): { step: Step; cmd: SimpleCommand }[] {
  const out: { step: Step; cmd: SimpleCommand }[] = [];
  for (const s of steps) for (const c of s.commands) if (pred(c)) out.push({ step: s, cmd: c });
  return out;
}

function readContext(inp: LanguageInput, imagePath: string): string | undefined {
  const p = contextPathOf(inp.copies, imagePath);
  return p === undefined ? undefined : inp.context?.readFile?.(p);
}

/** Resolves a path a command wrote relative to its directory. */
function resolveIn(cwd: string | undefined, p: string): string | undefined {
  if (p.startsWith('/')) return joinPath('/', p);
  return cwd === undefined ? undefined : joinPath(cwd, p);
}

// ---- Go ---------------------------------------------------------------------------------

const GO_VALUE_FLAGS = new Set(['-o', '-p', '-ldflags', '-gcflags', '-asmflags', '-tags', '-mod', '-modfile', '-buildmode', '-compiler', '-gccgoflags', '-installsuffix', '-overlay', '-pgo', '-pkgdir', '-toolexec', '-C', '-buildvcs', '-covermode', '-coverpkg']);

/** The module path declared by a go.mod text. */
export function goModulePath(gomod: string): string | undefined {
  return /^\s*module\s+("?)([^\s"]+)\1/m.exec(gomod)?.[2];
}

/** The name `go build` gives a package's binary: the import path's last element, skipping a /vN suffix. */
export function goBinaryName(importPath: string): string {
  const parts = importPath.split('/').filter(Boolean);
  const last = parts[parts.length - 1] ?? '';
  return /^v\d+$/.test(last) && parts.length > 1 ? (parts[parts.length - 2] as string) : last;
}

/** Do the context's Go files use cgo (`import "C"`)? undefined when they cannot be read. */
function goUsesCgo(inp: LanguageInput, dir: string): boolean | undefined {
  const ctxDir = contextPathOf(inp.copies, dir.replace(/\/$/, '') + '/go.mod')?.replace(/\/?go\.mod$/, '');
  if (ctxDir === undefined || !inp.context?.listFiles) return undefined;
  let seen = 0;
  const visit = (d: string, depth: number): boolean => {
    const names = inp.context?.listFiles?.(d);
    if (!names) return false;
    for (const n of names) {
      const p = d ? `${d}/${n.replace(/\/$/, '')}` : n.replace(/\/$/, '');
      if (n.endsWith('/')) {
        if (depth < 4 && !/^(vendor|testdata|\.git|node_modules)\/$/.test(n) && visit(p, depth + 1)) return true;
      } else if (n.endsWith('.go') && !n.endsWith('_test.go') && seen++ < 400) {
        const src = inp.context?.readFile?.(p) ?? '';
        if (/^\s*import\s+(\(\s*[^)]*?)?"C"/m.test(src)) return true;
      }
    }
    return false;
  };
  return visit(ctxDir, 0);
}

function goImports(inp: LanguageInput, dir: string, wanted: RegExp): boolean {
  const ctxDir = contextPathOf(inp.copies, dir.replace(/\/$/, '') + '/go.mod')?.replace(/\/?go\.mod$/, '');
  if (ctxDir === undefined || !inp.context?.listFiles) return false;
  const visit = (d: string, depth: number): boolean => {
    for (const n of inp.context?.listFiles?.(d) ?? []) {
      const p = d ? `${d}/${n.replace(/\/$/, '')}` : n.replace(/\/$/, '');
      if (n.endsWith('/')) {
        if (depth < 4 && !/^(vendor|testdata|\.git)\/$/.test(n) && visit(p, depth + 1)) return true;
      } else if (n.endsWith('.go') && wanted.test(inp.context?.readFile?.(p) ?? '')) return true;
    }
    return false;
  };
  return visit(ctxDir, 0);
}

function analyzeGo(inp: LanguageInput): LanguagePlan {
  let need: 'static' | 'glibc' = 'static';
  const p = plan('go', (o) => nativeRuntime(inp.base, need, { ...o, distroless: inp.distroless }), ['go', 'gofmt']);
  const builds = commandsOf(inp.steps, (c) => prog(c) === 'go' && (c.words[1] === 'build' || c.words[1] === 'install'));
  let cgoOff = true;
  let addCgoAt: number | undefined;
  let moduleDir: string | undefined;
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
      const at = pkg.split('@')[0] as string;
      return goBinaryName(at);
    };
    if (cmd.words[1] === 'build') {
      if (pkgs.some((x) => x.includes('...')) && !out) continue; // several packages: go build discards the results
      if (out) {
        const path = resolveIn(cwd, out);
        if (path === undefined) p.todos.push(`Could not tell where \`${cmd.text}\` writes its binary (the working directory is unknown).`);
        else {
          const dir = out.endsWith('/') || (pkgs.length > 1 && !pkgs.every((x) => x.endsWith('.go')));
          p.artifacts.push({ from: dir && !path.endsWith('/') ? path + '/' : path, to: dir && !path.endsWith('/') ? path + '/' : path, why: `built by \`go build\`` });
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
  if (cgoOff && moduleDir && goUsesCgo(inp, moduleDir) === true) {
    need = 'glibc';
    cgoOff = false;
    addCgoAt = undefined;
    p.notes.push('The program uses cgo (import "C"): it runs on a glibc image.');
  }
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
  if (cgoOff && moduleDir && goImports(inp, moduleDir, /"(net\/http|crypto\/tls|crypto\/x509)"/)) {
    p.artifacts.push({ from: '/etc/ssl/certs/ca-certificates.crt', to: '/etc/ssl/certs/ca-certificates.crt', why: 'CA certificates for TLS (the program imports net/http or crypto/tls)' });
  }
  const first = builds.find((b) => b.cmd.words[1] === 'build');
  if (first) {
    const pkgs = positionals(first.cmd.words, 2, GO_VALUE_FLAGS).filter((x) => !x.includes('...'));
    p.devCommand = ['go', 'run', ...(pkgs.length ? pkgs : ['.'])];
  }
  return p;
}

// ---- Node.js ----------------------------------------------------------------------------

const NODE_INSTALL = (c: SimpleCommand) => {
  const w = c.words;
  const t = prog(c);
  if (t === 'npm') return ['ci', 'install', 'i', 'add'].includes(w[1] ?? '') && !w.includes('-g') && !w.includes('--global');
  if (t === 'yarn') return (w.length === 1 || w[1] === 'install' || w[1] === '--frozen-lockfile' || w[1] === '--immutable') && !w.includes('global');
  if (t === 'pnpm') return ['install', 'i'].includes(w[1] ?? '') && !w.includes('-g');
  return false;
};
const NODE_BUILD = (c: SimpleCommand) => {
  const w = c.words;
  const t = prog(c);
  return ((t === 'npm' || t === 'pnpm') && w[1] === 'run') || (t === 'yarn' && w.length > 1 && !['install', 'add', 'global', 'cache', 'config'].includes(w[1] ?? '') && !(w[1] ?? '').startsWith('-')) || t === 'tsc' || (t === 'npx' && w.length > 1);
};

function analyzeNode(inp: LanguageInput): LanguagePlan {
  const fromOs = inp.base.name !== 'node';
  const p = plan('node', () => (fromOs ? osRuntime(inp.base) : { image: slimVariant(inp.base, 'node'), shell: true, apt: !isAlpine(inp.base), passwd: true }), ['tsc', 'ts-node', 'nodemon', 'webpack', 'vite', 'gulp', 'grunt'], ['node', 'nodejs', 'npm', 'npx', 'yarn', 'corepack']);
  if (fromOs) p.runtimePackages.push('nodejs');
  const installs = commandsOf(inp.steps, NODE_INSTALL);
  const builds = commandsOf(inp.steps, NODE_BUILD);
  const appDir = installs[0]?.cmd.cwd ?? builds[0]?.cmd.cwd ?? inp.finalWorkdir;
  if (appDir === undefined || appDir === '/') {
    p.todos.push('The application is not in a directory of its own (no WORKDIR): copy what it needs from the builder.');
    return p;
  }
  p.artifacts.push({ from: appDir.replace(/\/?$/, '/'), to: appDir.replace(/\/?$/, '/'), why: 'the application with its node_modules' });
  const production = (c: SimpleCommand, s: Step) =>
    c.words.some((w) => /^--(omit=dev|production|only=prod(uction)?)$/.test(w) || w === '--prod') || (c.env.get('NODE_ENV') ?? inp.envAt('NODE_ENV', s)) === 'production';
  const dev = installs.filter(({ cmd, step }) => !production(cmd, step));
  const pruned = commandsOf(inp.steps, (c) => ['npm', 'pnpm'].includes(prog(c)) && c.words[1] === 'prune').length > 0;
  if (dev.length && !pruned) {
    const tool = prog((dev[0] as { cmd: SimpleCommand }).cmd);
    const cd = inp.finalWorkdir === appDir ? '' : `cd ${appDir} && `;
    if (tool === 'npm') p.insertions.push({ before: inp.steps.length, lines: ['# Added by the conversion: production dependencies only in the runtime image.', `RUN ${cd}npm prune --omit=dev`] });
    else if (tool === 'pnpm') p.insertions.push({ before: inp.steps.length, lines: ['# Added by the conversion: production dependencies only in the runtime image.', `RUN ${cd}pnpm prune --prod`] });
    else p.notes.push('devDependencies are copied too: yarn cannot prune them without the network. Consider a second `yarn install --production` into another directory.');
  }
  const pkg = readContext(inp, `${appDir.replace(/\/$/, '')}/package.json`);
  const scripts = pkg ? safeScripts(pkg) : undefined;
  const runner = prog((installs[0] ?? builds[0])?.cmd ?? { words: ['npm'], env: new Map(), cwd: undefined, text: '' });
  const r = runner === 'yarn' ? 'yarn' : runner === 'pnpm' ? 'pnpm' : 'npm';
  if (scripts?.['dev']) p.devCommand = [r, 'run', 'dev'];
  else if (scripts?.['start']) p.devCommand = [r, 'start'];
  return p;
}

function safeScripts(pkgJson: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(pkgJson);
    if (typeof v === 'object' && v !== null && 'scripts' in v) {
      const s = (v as { scripts: unknown }).scripts;
      if (typeof s === 'object' && s !== null) return s as Record<string, unknown>;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

// ---- Python -----------------------------------------------------------------------------

const isPython = (t: string) => /^python(\d(\.\d+)?)?$/.test(t);
const PIP = (c: SimpleCommand) => {
  const t = prog(c);
  const w = c.words;
  if (/^pip(\d(\.\d+)?)?$/.test(t)) return w[1] === 'install';
  if (isPython(t)) return (w[1] === '-m' && w[2] === 'pip' && w[3] === 'install') || (w[1] === 'setup.py' && w[2] === 'install');
  if (t === 'uv') return w[1] === 'pip' && w[2] === 'install';
  return false;
};

function analyzePython(inp: LanguageInput): LanguagePlan {
  const fromOs = !['python', 'pypy'].includes(inp.base.name);
  const p = plan('python', () => (fromOs ? osRuntime(inp.base) : { image: slimVariant(inp.base, 'python'), shell: true, apt: !isAlpine(inp.base), passwd: true }), ['pip-compile'], ['python', 'python3', 'pip', 'pip3', 'pypy', 'pypy3']);
  if (fromOs) p.runtimePackages.push('python3');
  const versioned = /^(\d\.\d+)/.exec(inp.base.tag ?? '')?.[1];
  if (versioned) p.tools.add(`python${versioned}`);
  const venvs = commandsOf(inp.steps, (c) => (isPython(prog(c)) && c.words[1] === '-m' && c.words[2] === 'venv') || prog(c) === 'virtualenv' || (prog(c) === 'uv' && c.words[1] === 'venv'));
  const pips = commandsOf(inp.steps, PIP);
  const poetry = commandsOf(inp.steps, (c) => prog(c) === 'poetry' && c.words[1] === 'install');
  const pipenv = commandsOf(inp.steps, (c) => prog(c) === 'pipenv' && c.words[1] === 'install');
  const appDir = inp.finalWorkdir;
  for (const { cmd } of venvs) {
    const args = positionals(cmd.words, prog(cmd) === 'virtualenv' ? 1 : 2, new Set(['-p', '--python', '--prompt']));
    const target = args.find((a) => a !== 'venv');
    const dir = target ? resolveIn(cmd.cwd, target) : undefined;
    if (dir) {
      p.artifacts.push({ from: dir.replace(/\/?$/, '/'), to: dir.replace(/\/?$/, '/'), why: 'the virtualenv with the installed packages' });
      p.pathDirs.push(`${dir.replace(/\/$/, '')}/bin`);
    } else p.todos.push(`Could not tell where \`${cmd.text}\` creates the virtualenv.`);
  }
  const userInstall = pips.find(({ cmd }) => cmd.words.includes('--user'));
  const target = pips.map(({ cmd }) => ({ cmd, t: optionValue(cmd.words, ['--target', '-t', '--prefix', '--root']) })).find((x) => x.t);
  const poetryInProject = poetry.length > 0 && inp.steps.some((s) => s.env.get('POETRY_VIRTUALENVS_IN_PROJECT') === 'true' || s.commands.some((c) => prog(c) === 'poetry' && c.words.join(' ').includes('virtualenvs.in-project true')));
  const poetrySystem = poetry.length > 0 && inp.steps.some((s) => s.env.get('POETRY_VIRTUALENVS_CREATE') === 'false' || s.commands.some((c) => prog(c) === 'poetry' && c.words.join(' ').includes('virtualenvs.create false')));
  const pipenvSystem = pipenv.some(({ cmd }) => cmd.words.includes('--system'));
  if (venvs.length === 0) {
    if (userInstall) {
      const home = userInstall.step.user && !/^(root|0)(:|$)/.test(userInstall.step.user) ? `/home/${userInstall.step.user.split(':')[0]}` : '/root';
      p.artifacts.push({ from: `${home}/.local/`, to: `${home}/.local/`, why: 'packages installed with pip --user' });
      p.pathDirs.push(`${home}/.local/bin`);
      p.runtimeEnv.push(`ENV PATH="${home}/.local/bin:$PATH"`);
    } else if (target?.t) {
      const dir = resolveIn(target.cmd.cwd, target.t);
      if (dir) p.artifacts.push({ from: dir.replace(/\/?$/, '/'), to: dir.replace(/\/?$/, '/'), why: 'packages installed with pip --target/--prefix' });
    } else if (poetry.length && !poetrySystem && !poetryInProject) {
      p.todos.push('Poetry installs into a virtualenv in its cache directory: set POETRY_VIRTUALENVS_IN_PROJECT=true (the runtime copies the application directory with its .venv) or POETRY_VIRTUALENVS_CREATE=false.');
    } else if (pipenv.length && !pipenvSystem) {
      p.todos.push('pipenv installs into a virtualenv outside the application: use `pipenv install --system --deploy`.');
    } else if (pips.length || poetrySystem || pipenvSystem) {
      const first = Math.min(...[...pips, ...poetry, ...pipenv].map((x) => x.step.index));
      p.insertions.push({
        before: first,
        lines: [
          '# Added by the conversion: install into a virtualenv, which the runtime stage copies whole.',
          'RUN python3 -m venv /opt/venv',
          'ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"',
        ],
      });
      p.artifacts.push({ from: '/opt/venv/', to: '/opt/venv/', why: 'the virtualenv with the installed packages' });
      p.runtimeEnv.push('ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"');
      p.pathDirs.push('/opt/venv/bin');
    }
  }
  if (appDir === undefined || appDir === '/') {
    if (!p.artifacts.some((a) => a.why.startsWith('the virtualenv'))) p.todos.push('The application is not in a directory of its own (no WORKDIR): copy its sources from the builder.');
  } else if (!p.artifacts.some((a) => appDir.startsWith(a.from))) {
    p.artifacts.unshift({ from: appDir.replace(/\/?$/, '/'), to: appDir.replace(/\/?$/, '/'), why: 'the application' });
  }
  return p;
}

// ---- Rust -------------------------------------------------------------------------------

/** Binary names a Cargo.toml declares: [[bin]] names, else the package name. */
export function cargoBinaries(toml: string): string[] {
  const bins: string[] = [];
  let section = '';
  let pkgName: string | undefined;
  let autobins = true;
  for (const line of toml.split(/\r?\n/)) {
    const t = line.trim();
    const sec = /^\[\[?([^\]]+)\]\]?/.exec(t);
    if (sec) {
      section = (sec[1] as string).trim();
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(t);
    if (!kv) continue;
    const value = (kv[2] as string).trim().replace(/^"(.*)".*$/, '$1');
    if (section === 'package' && kv[1] === 'name') pkgName = value;
    if (section === 'package' && kv[1] === 'autobins' && value === 'false') autobins = false;
    if (section === 'bin' && kv[1] === 'name') bins.push(value);
  }
  if (bins.length === 0 && pkgName && autobins) bins.push(pkgName);
  return bins;
}

function analyzeRust(inp: LanguageInput): LanguagePlan {
  let need: 'static' | 'glibc' = isAlpine(inp.base) ? 'static' : 'glibc';
  const p = plan('rust', (o) => nativeRuntime(inp.base, need, { ...o, distroless: need === 'glibc' || inp.distroless }), ['cargo', 'rustc', 'rustup']);
  for (const { step, cmd } of commandsOf(inp.steps, (c) => prog(c) === 'cargo' && (c.words[1] === 'build' || c.words[1] === 'install'))) {
    const w = cmd.words;
    const bins = w.flatMap((x, i) => (x === '--bin' && w[i + 1] ? [w[i + 1] as string] : x.startsWith('--bin=') ? [x.slice(6)] : []));
    const triple = optionValue(w, ['--target']);
    if (triple && /musl/.test(triple)) need = 'static';
    if (w[1] === 'build') {
      const profile = w.includes('--release') || w.includes('-r') ? 'release' : optionValue(w, ['--profile']) ?? 'debug';
      const dirName = profile === 'dev' || profile === 'test' ? 'debug' : profile === 'bench' ? 'release' : profile;
      const targetDir = optionValue(w, ['--target-dir']) ?? cmd.env.get('CARGO_TARGET_DIR') ?? inp.envAt('CARGO_TARGET_DIR', step) ?? 'target';
      const manifest = optionValue(w, ['--manifest-path']);
      const root = manifest ? resolveIn(cmd.cwd, manifest.replace(/\/?Cargo\.toml$/, '') || '.') : cmd.cwd;
      const tdir = resolveIn(root, targetDir);
      if (!tdir) {
        p.todos.push(`Could not tell where \`${cmd.text}\` writes (the working directory is unknown).`);
        continue;
      }
      const out = joinPath(tdir, triple ? `${triple}/${dirName}` : dirName);
      const toml = root ? readContext(inp, `${root.replace(/\/$/, '')}/Cargo.toml`) : undefined;
      const names = bins.length ? bins : toml ? cargoBinaries(toml) : [];
      for (const n of names) p.artifacts.push({ from: `${out}/${n}`, to: `${out}/${n}`, why: '`cargo build` output' });
      if (!names.length) p.notes.push(`cargo builds into ${out}/ (the binary's name comes from Cargo.toml).`);
      p.devCommand = ['cargo', 'run', ...(w.includes('--release') ? ['--release'] : []), ...(bins[0] ? ['--bin', bins[0]] : [])];
    } else {
      const rootOpt = optionValue(w, ['--root']);
      const home = cmd.env.get('CARGO_INSTALL_ROOT') ?? inp.envAt('CARGO_INSTALL_ROOT', step) ?? cmd.env.get('CARGO_HOME') ?? inp.envAt('CARGO_HOME', step) ?? '/usr/local/cargo';
      const dir = `${resolveIn(cmd.cwd, rootOpt ?? home) ?? home}/bin`;
      const path = optionValue(w, ['--path']);
      const toml = path ? readContext(inp, `${resolveIn(cmd.cwd, path) ?? ''}/Cargo.toml`) : undefined;
      const crates = positionals(w, 2, new Set(['--root', '--path', '--bin', '--target', '--version', '--git', '--branch', '--tag', '--rev', '--profile', '--features', '-j', '--jobs', '--target-dir', '--index', '--registry']));
      const names = bins.length ? bins : toml ? cargoBinaries(toml) : crates;
      for (const n of names) p.artifacts.push({ from: `${dir}/${n}`, to: `${dir}/${n}`, why: 'installed by `cargo install`' });
    }
  }
  return p;
}

// ---- C / C++ ----------------------------------------------------------------------------

const CC = /^(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|gcc-\d+|g\+\+-\d+|clang-\d+|clang\+\+-\d+|musl-gcc)$/;

function analyzeC(inp: LanguageInput): LanguagePlan {
  let need: 'static' | 'glibc' = 'glibc';
  const native = inp.base.name !== 'ubuntu';
  const p = plan('c', (o) => (native ? nativeRuntime(inp.base, need, { ...o, distroless: need === 'glibc' || inp.distroless }) : osRuntime(inp.base)), ['make', 'cmake', 'gcc', 'g++', 'cc', 'c++', 'clang', 'ninja', 'meson']);
  const compiles = commandsOf(inp.steps, (c) => CC.test(prog(c)));
  let allStatic = compiles.length > 0;
  for (const { cmd } of compiles) {
    if (cmd.words.includes('-c') || cmd.words.includes('-E') || cmd.words.includes('-S')) continue;
    if (!cmd.words.includes('-static')) allStatic = false;
    const out = optionValue(cmd.words, ['-o'], 1, true) ?? 'a.out';
    if (/\.(o|a|so)$/.test(out)) continue;
    const path = resolveIn(cmd.cwd, out);
    if (path) p.artifacts.push({ from: path, to: path, why: `built by \`${prog(cmd)}\`` });
  }
  const makes = commandsOf(inp.steps, (c) => ['make', 'cmake', 'ninja', 'meson'].includes(prog(c)) || /(^|\/)configure$/.test(c.words[0] ?? ''));
  if (makes.length) allStatic = false;
  if (allStatic) need = 'static';
  if (commandsOf(inp.steps, (c) => (prog(c) === 'make' && c.words.includes('install')) || (prog(c) === 'cmake' && c.words.includes('--install'))).length) {
    p.notes.push('`make install` may also install shared libraries (/usr/local/lib): copy them too if the program needs them.');
    // A program the container runs by name was most likely installed into the default prefix.
    for (const words of inp.runtimeWords) {
      const program = words[0];
      if (program && !program.includes('/') && !p.toolchainCommands.has(program) && !/^(sh|bash|env|exec)$/.test(program)) {
        p.artifacts.push({ from: `/usr/local/bin/${program}`, to: `/usr/local/bin/${program}`, why: '`make install` (PREFIX=/usr/local)' });
        p.notes.push(`${program} is assumed to be installed in /usr/local/bin (the default PREFIX); the build fails if it is not.`);
      }
    }
  }
  return p;
}

// ---- Java -------------------------------------------------------------------------------

function analyzeJava(inp: LanguageInput): LanguagePlan {
  const rt = javaRuntime(inp.base);
  const p = plan('java', () => ({ image: rt.image, shell: true, apt: !isAlpine(inp.base), passwd: true }), ['mvn', 'mvnw', 'gradle', 'gradlew', 'javac', 'jar', 'ant']);
  p.tools = new Set(['java', 'keytool', 'jfr', 'jcmd']);
  if (rt.guessed) p.notes.push(`The builder's Java version is not in its tag: the runtime uses ${rt.image}; use the JRE of the JDK that builds the code (or newer).`);
  // The runtime command names the jar or classpath (java -jar app.jar / -cp out Main).
  for (const words of inp.runtimeWords) {
    if (base(words[0] ?? '') !== 'java') continue;
    const jar = optionValue(words, ['-jar']);
    const cp = optionValue(words, ['-cp', '-classpath', '--class-path']);
    const entries = [...(jar ? [jar] : []), ...(cp ? cp.split(':') : [])];
    for (const e of entries) {
      if (e === '' || e === '.') continue;
      const clean = e.replace(/\/\*$/, '/');
      const path = resolveIn(inp.finalWorkdir, clean);
      if (path) p.artifacts.push({ from: path, to: path, why: e.endsWith('.jar') ? 'the application jar' : 'the compiled classes' });
    }
  }
  if (!p.artifacts.length) {
    const maven = commandsOf(inp.steps, (c) => /^mvnw?$/.test(prog(c)))[0];
    if (maven && maven.cmd.cwd) {
      const pom = readContext(inp, `${maven.cmd.cwd.replace(/\/$/, '')}/pom.xml`);
      const jar = pom ? mavenJarName(pom) : undefined;
      if (jar) p.artifacts.push({ from: `${maven.cmd.cwd.replace(/\/$/, '')}/target/${jar}`, to: `/app/${jar}`, why: 'the jar `mvn package` builds' });
    }
  }
  return p;
}

/** `<artifactId>-<version>.jar` (or `<finalName>.jar`) of a pom.xml without a parent-version indirection. */
export function mavenJarName(pom: string): string | undefined {
  const noParent = pom.replace(/<parent>[\s\S]*?<\/parent>/, '').replace(/<dependencies>[\s\S]*?<\/dependencies>/g, '').replace(/<plugins>[\s\S]*?<\/plugins>/g, '');
  const finalName = /<finalName>([^<$]+)<\/finalName>/.exec(noParent)?.[1];
  if (finalName) return `${finalName.trim()}.jar`;
  const id = /<artifactId>([^<$]+)<\/artifactId>/.exec(noParent)?.[1];
  const version = /<version>([^<$]+)<\/version>/.exec(noParent)?.[1];
  const packaging = /<packaging>([^<]+)<\/packaging>/.exec(noParent)?.[1];
  if (!id || !version || (packaging && packaging.trim() !== 'jar')) return undefined;
  return `${id.trim()}-${version.trim()}.jar`;
}

// ---- .NET -------------------------------------------------------------------------------

function analyzeDotnet(inp: LanguageInput): LanguagePlan {
  let kind: 'aspnet' | 'runtime' | 'runtime-deps' = 'runtime';
  const p = plan('dotnet', () => ({ image: dotnetRuntime(inp.base, kind), shell: true, apt: !isAlpine(inp.base), passwd: true }), ['msbuild', 'nuget'], ['dotnet']);
  const publishes = commandsOf(inp.steps, (c) => prog(c) === 'dotnet' && c.words[1] === 'publish');
  for (const { cmd } of publishes) {
    const out = optionValue(cmd.words, ['-o', '--output']);
    const selfContained = (cmd.words.includes('--self-contained') && optionValue(cmd.words, ['--self-contained']) !== 'false') || cmd.words.includes('-r') || cmd.words.some((w) => w.startsWith('--runtime'));
    if (selfContained && !cmd.words.includes('--no-self-contained')) kind = 'runtime-deps';
    const dir = out ? resolveIn(cmd.cwd, out) : undefined;
    if (dir) p.artifacts.push({ from: dir.replace(/\/?$/, '/'), to: dir.replace(/\/?$/, '/'), why: 'the output of `dotnet publish`' });
  }
  // `dotnet run` is the toolchain; `dotnet app.dll` needs the dll's whole directory.
  for (const words of inp.runtimeWords) {
    if (base(words[0] ?? '') !== 'dotnet') continue;
    if (words[1] === 'run' || words[1] === 'watch') continue;
    const dll = words.find((w) => w.endsWith('.dll'));
    if (dll && !p.artifacts.length) {
      const path = resolveIn(inp.finalWorkdir, dll);
      if (path) {
        const dir = path.slice(0, path.lastIndexOf('/') + 1) || '/';
        p.artifacts.push({ from: dir, to: dir, why: 'the directory of the application dll' });
      }
    }
  }
  const web = inp.steps.some((s) => s.keyword === 'EXPOSE' || [...s.env.keys()].some((k) => k.startsWith('ASPNETCORE_'))) ||
    inp.copies.some((c) => c.sources.some((src) => /\.csproj$/.test(src) && /Microsoft\.NET\.Sdk\.Web/.test(inp.context?.readFile?.(src.replace(/^\.\//, '')) ?? '')));
  if (kind !== 'runtime-deps' && web) kind = 'aspnet';
  if (!publishes.length) p.notes.push('Publish the application (`dotnet publish -c Release -o /app/publish`) and copy that directory: `dotnet build` output also needs the SDK\'s restore results.');
  const proj = commandsOf(inp.steps, (c) => prog(c) === 'dotnet' && ['publish', 'build'].includes(c.words[1] ?? ''))[0];
  if (proj) p.devCommand = ['dotnet', 'watch', 'run'];
  return p;
}

// ---- generic ----------------------------------------------------------------------------

function analyzeGeneric(inp: LanguageInput): LanguagePlan {
  return plan('generic', () => osRuntime(inp.base), ['make', 'cmake', 'gcc', 'g++', 'cc']);
}

export function analyzeLanguage(inp: LanguageInput): LanguagePlan {
  switch (inp.language) {
    case 'go':
      return analyzeGo(inp);
    case 'node':
      return analyzeNode(inp);
    case 'python':
      return analyzePython(inp);
    case 'rust':
      return analyzeRust(inp);
    case 'c':
      return analyzeC(inp);
    case 'java':
      return analyzeJava(inp);
    case 'dotnet':
      return analyzeDotnet(inp);
    case 'generic':
      return analyzeGeneric(inp);
  }
}

// ---- detection helpers ------------------------------------------------------------------

/** The language a builder image is for, by its repository. */
export function languageOfImage(ref: ImageRef): Language | undefined {
  const path = ref.path.toLowerCase();
  if (ref.name === 'golang') return 'go';
  if (ref.name === 'node') return 'node';
  if (ref.name === 'python' || ref.name === 'pypy') return 'python';
  if (ref.name === 'rust') return 'rust';
  if (/^(maven|gradle|eclipse-temurin|openjdk|amazoncorretto|ibm-semeru-runtimes|sapmachine)$/.test(ref.name) || path === 'azul/zulu-openjdk') return 'java';
  if (/dotnet\/(core\/)?sdk$/.test(path)) return 'dotnet';
  if (ref.name === 'gcc') return 'c';
  return undefined;
}

/** Is the image the full toolchain (not a slim/alpine/JRE/runtime variant)? */
export function isToolchainImage(ref: ImageRef, language: Language): boolean {
  const tag = ref.tag ?? '';
  switch (language) {
    case 'node':
    case 'python':
      return !/slim|alpine/.test(tag);
    case 'java':
      return !/jre/.test(tag);
    default:
      return true;
  }
}

/** The language a build command belongs to, when it builds something. */
export function languageOfCommand(c: SimpleCommand): Language | undefined {
  const t = prog(c);
  const w = c.words;
  if (t === 'go' && (w[1] === 'build' || w[1] === 'install')) return 'go';
  if (t === 'cargo' && (w[1] === 'build' || w[1] === 'install')) return 'rust';
  if (/^(mvn|mvnw|gradle|gradlew|javac)$/.test(t)) return 'java';
  if (t === 'dotnet' && ['publish', 'build', 'restore'].includes(w[1] ?? '')) return 'dotnet';
  if (NODE_INSTALL(c) || (NODE_BUILD(c) && t !== 'npx')) return 'node';
  if (PIP(c) || (t === 'poetry' && w[1] === 'install') || (t === 'pipenv' && w[1] === 'install')) return 'python';
  if (CC.test(t) || ['make', 'cmake', 'ninja', 'meson'].includes(t) || /(^|\/)configure$/.test(w[0] ?? '')) return 'c';
  return undefined;
}
