/**
 * The single stage of a Dockerfile as the conversion reads it: each
 * instruction with its source text, the working directory, ENV and USER in
 * effect, and, for RUN, its simple commands. Built on the StageModel; pure.
 */
import type { Stage, StageModel } from '../model/model';
import type { InstructionSyntax } from '../model/syntax';
import { defined } from '../model/text';
import { instructionBody, joinPath, runCommands, sliceText, type SimpleCommand } from './shell';

/** Files of the build context, when the caller can read them (the CLI and the server can; tests pass a map). */
export interface ConvertContext {
  /** A file's text by its path relative to the context root (`go.mod`, `cmd/x/main.go`); undefined if absent. */
  readFile?(path: string): string | undefined;
  /** Names in a context directory ('' = the root); directories end with `/`. Undefined when unknown. */
  listFiles?(dir: string): readonly string[] | undefined;
  /** Why reads came back empty when they did (unreadable or too large a context), in plain words. */
  problem?(): string | undefined;
}

export interface Step {
  /** Index in `stage.instructions`. */
  readonly index: number;
  readonly inst: InstructionSyntax;
  readonly keyword: string;
  /** First and last source line of the instruction (heredoc bodies included). */
  readonly firstLine: number;
  readonly lastLine: number;
  /** Arguments as the builder reads them (flags dropped, continuations joined). */
  readonly body: string;
  /** Working directory when the instruction runs (for WORKDIR: the one it sets); undefined if not known. */
  readonly workdir: string | undefined;
  /** ENV declared in this Dockerfile and in effect before the instruction. */
  readonly env: ReadonlyMap<string, string>;
  /** USER in effect before the instruction (undefined: the base image's). */
  readonly user: string | undefined;
  /** RUN: its simple commands. */
  readonly commands: readonly SimpleCommand[];
}

/** The default working directory of well-known builder images (official images). */
export function baseWorkdir(imageName: string): string {
  return imageName === 'golang' ? '/go' : '/';
}

/** `ENV A=1 B="2"` or the legacy `ENV A 1`: the pairs, values unquoted. */
export function envPairs(inst: InstructionSyntax): [string, string][] {
  const args = inst.args.map((a) => a.text);
  const first = args[0];
  if (first === undefined) return [];
  const unquote = (v: string) => (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0]) ? v.slice(1, -1) : v);
  if (!first.includes('=')) return [[first, unquote(args.slice(1).join(' '))]];
  return args.filter((a) => a.includes('=')).map((a) => [a.slice(0, a.indexOf('=')), unquote(a.slice(a.indexOf('=') + 1))]);
}

/** Replaces `$X` / `${X}` for names in `env`; everything else (ARGs) stays as written. */
export function expandEnv(text: string, env: ReadonlyMap<string, string>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (m, a: string | undefined, b: string | undefined) => {
    const v = env.get((a ?? b) as string);
    return v === undefined ? m : v;
  });
}

export function walkStage(model: StageModel, stage: Stage): Step[] {
  const lines = model.parsed.lines;
  const steps: Step[] = [];
  let workdir: string | undefined = baseWorkdir(imageNameOf(stage));
  let env = new Map<string, string>();
  let user: string | undefined;
  stage.instructions.forEach((inst, index) => {
    const body = instructionBody(lines, inst, model.escapeChar);
    const before = { env, user, workdir };
    let commands: SimpleCommand[] = [];
    if (inst.keyword === 'WORKDIR') {
      const target = expandEnv(body.trim().replace(/^["']|["']$/g, ''), env);
      workdir = target.startsWith('/') ? joinPath('/', target) : workdir !== undefined && !target.startsWith('$') ? joinPath(workdir, target) : undefined;
    } else if (inst.keyword === 'ENV') {
      env = new Map(env);
      for (const [k, v] of envPairs(inst)) env.set(k, expandEnv(v, env));
    } else if (inst.keyword === 'USER') {
      user = body.trim();
    } else if (inst.keyword === 'RUN') {
      commands = runCommands(body, workdir);
    }
    steps.push({
      index,
      inst,
      keyword: inst.keyword,
      firstLine: inst.range.start.line,
      lastLine: inst.range.end.line,
      body,
      workdir: inst.keyword === 'WORKDIR' ? workdir : before.workdir,
      env: before.env,
      user: before.user,
      commands,
    });
  });
  return steps;
}

export function imageNameOf(stage: Stage): string {
  const v = stage.base.value || stage.base.raw;
  const noDigest = v.split('@')[0] ?? '';
  const colon = noDigest.lastIndexOf(':');
  const repo = colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
  return (repo.split('/').pop() ?? '').toLowerCase();
}

/** Source text of an instruction, whole lines (its first line from column 0). */
export function stepText(model: StageModel, s: Step): string {
  return sliceText(model.parsed.lines, {
    start: { line: s.firstLine, character: 0 },
    end: { line: s.lastLine, character: (model.parsed.lines[s.lastLine] ?? '').length },
  });
}

/** The working directory at the end of the stage (what the container starts in). */
export function finalWorkdir(steps: readonly Step[], stage: Stage): string | undefined {
  let w: string | undefined = baseWorkdir(imageNameOf(stage));
  for (const s of steps) if (s.keyword === 'WORKDIR') w = s.workdir;
  return w;
}

// ---- COPY from the context ------------------------------------------------------------

export interface ContextCopy {
  readonly step: Step;
  /** Sources as written, relative to the context. */
  readonly sources: readonly string[];
  /** Absolute destination in the image (a directory when it ends with `/`). */
  readonly dest: string;
}

/** COPY/ADD from the build context (not `--from`, not URLs), with absolute destinations. */
export function contextCopies(steps: readonly Step[]): ContextCopy[] {
  const out: ContextCopy[] = [];
  for (const s of steps) {
    if (s.keyword !== 'COPY' && s.keyword !== 'ADD') continue;
    if (s.inst.flags.some((f) => f.name === 'from')) continue;
    let words = s.inst.args.map((a) => a.text);
    const json = /^\s*\[/.test(s.body) ? safeJson(s.body) : undefined;
    if (json) words = json;
    if (words.length < 2 || s.inst.heredocs.length) continue;
    const sources = words.slice(0, -1).filter((w) => !/^[a-z]+:\/\//i.test(w));
    const rawDest = expandEnv(words[words.length - 1] ?? '', s.env);
    const dir = rawDest.endsWith('/') || sources.length > 1 || rawDest === '.' || rawDest === '..';
    if (!rawDest.startsWith('/') && s.workdir === undefined) continue;
    const dest = joinPath(s.workdir ?? '/', rawDest) + (dir && !rawDest.endsWith('/') ? '/' : '');
    out.push({ step: s, sources, dest: dest.replace(/\/\/$/, '/') });
  }
  return out;
}

function safeJson(body: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(body.trim());
    return Array.isArray(v) && v.every((x): x is string => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The context path that ends up at `imagePath`, from the last COPY that covers it
 * (`COPY . .` into /app maps /app/go.mod to go.mod); undefined when no COPY does.
 */
export function contextPathOf(copies: readonly ContextCopy[], imagePath: string): string | undefined {
  for (let i = copies.length - 1; i >= 0; i--) {
    const c = defined(copies[i], 'context copy');
    const destDir = c.dest.endsWith('/') ? c.dest : undefined;
    for (const src of c.sources) {
      const s = src.replace(/^\.\//, '').replace(/\/$/, '');
      const isDirSource = src === '.' || src === './' || src.endsWith('/') || !/\.[A-Za-z0-9]+$/.test(s);
      if (destDir) {
        const base = destDir.replace(/\/$/, '');
        if (src === '.' || src === './') {
          if (imagePath === base || imagePath.startsWith(base + '/')) return imagePath.slice(base.length + 1);
        } else if (!/[*?[]/.test(s)) {
          // `COPY src/ /app/src/` copies the directory's contents; `COPY go.mod ./` puts the file in the directory.
          if (src.endsWith('/') && (imagePath === base || imagePath.startsWith(base + '/')))
            return [s, imagePath.slice(base.length + 1)].filter(Boolean).join('/');
          const leaf = s.split('/').pop() as string;
          if (imagePath === `${base}/${leaf}`) return s;
          if (isDirSource && imagePath.startsWith(`${base}/`) && c.sources.length === 1) return [s, imagePath.slice(base.length + 1)].join('/');
        } else {
          const leaf = imagePath.slice(base.length + 1);
          if (imagePath.startsWith(base + '/') && !leaf.includes('/') && globMatch(s.split('/').pop() as string, leaf))
            return [...s.split('/').slice(0, -1), leaf].join('/');
        }
      } else if (c.dest === imagePath) return s;
      else if (isDirSource && imagePath.startsWith(c.dest + '/')) return [s, imagePath.slice(c.dest.length + 1)].join('/');
    }
  }
  return undefined;
}

/** Is `imagePath` a file or directory some context COPY put in the image? */
export function copiedFromContext(copies: readonly ContextCopy[], imagePath: string): boolean {
  return contextPathOf(copies, imagePath) !== undefined;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]') +
      '$',
  );
  return re.test(name);
}

// ---- packages ---------------------------------------------------------------------------

export interface PackageInstall {
  readonly step: Step;
  readonly manager: 'apt' | 'apk' | 'yum';
  readonly packages: readonly string[];
}

/** `apt-get install …`, `apk add …`, `yum/dnf/microdnf install …` in RUN steps. */
export function packageInstalls(steps: readonly Step[]): PackageInstall[] {
  const out: PackageInstall[] = [];
  for (const s of steps) {
    for (const c of s.commands) {
      const w = c.words;
      const tool = (w[0] ?? '').split('/').pop();
      let manager: PackageInstall['manager'] | undefined;
      let at = -1;
      if ((tool === 'apt-get' || tool === 'apt') && w.includes('install')) {
        manager = 'apt';
        at = w.indexOf('install');
      } else if (tool === 'apk' && w.includes('add')) {
        manager = 'apk';
        at = w.indexOf('add');
      } else if ((tool === 'yum' || tool === 'dnf' || tool === 'microdnf') && w.includes('install')) {
        manager = 'yum';
        at = w.indexOf('install');
      }
      if (!manager) continue;
      const valued = new Set(['-o', '-t', '--target-release', '--virtual', '-X', '--repository', '-t']);
      const pkgs: string[] = [];
      for (let i = at + 1; i < w.length; i++) {
        const x = w[i] ?? '';
        if (x.startsWith('-')) {
          if (valued.has(x)) i++;
          continue;
        }
        const name = x.replace(/[=:].*$/, '');
        // Only real package names: `$(cat list)`, globs and the like are not guessed at.
        if (/^[a-z0-9][a-z0-9+.-]*$/.test(name)) pkgs.push(name);
      }
      out.push({ step: s, manager, packages: pkgs });
    }
  }
  return out;
}

/** Packages only a build needs. Everything else a builder installs may be needed at run time. */
export function isBuildPackage(p: string): boolean {
  return (
    /-dev$|-devel$|^lib.*-dev:/.test(p) ||
    /^(build-essential|build-base|alpine-sdk|gcc|gcc-\d+|g\+\+|g\+\+-\d+|gcc-c\+\+|clang(-\d+)?|llvm(-\d+)?|lld|make|cmake|ninja-build|ninja|meson|autoconf|automake|libtool|pkg-config|pkgconf|pkgconfig|bison|flex|git|git-core|patch|unzip|zip|xz-utils|gnupg|gnupg2|dirmngr|curl|wget|ca-certificates|golang|golang-go|golang-\d\.\d+(-go)?|go|rustc|cargo|rust|maven|gradle|ant|default-jdk|default-jdk-headless|openjdk-\d+-jdk(-headless)?|java-\d+-openjdk-devel|npm|yarn|python3-pip|python3-venv|python3-dev|python3-setuptools|python3-wheel|python-dev|py3-pip|musl-dev|linux-headers|dpkg-dev|file|perl|m4|gettext|swig|protobuf-compiler|nasm|yasm|upx|upx-ucl|binutils|libc6-dev|libc-dev|apt-transport-https|software-properties-common|lsb-release|sudo|vim|nano|less)$/.test(
      p,
    )
  );
}

/** Runtime libraries for common Debian bookworm -dev packages. */
export const DEBIAN_RUNTIME_LIBS: Readonly<Record<string, string>> = {
  'libpq-dev': 'libpq5',
  'libssl-dev': 'libssl3',
  'libffi-dev': 'libffi8',
  'zlib1g-dev': 'zlib1g',
  'libjpeg-dev': 'libjpeg62-turbo',
  'libjpeg62-turbo-dev': 'libjpeg62-turbo',
  'libpng-dev': 'libpng16-16',
  'libxml2-dev': 'libxml2',
  'libxslt1-dev': 'libxslt1.1',
  'libsqlite3-dev': 'libsqlite3-0',
  'libcurl4-openssl-dev': 'libcurl4',
  'libyaml-dev': 'libyaml-0-2',
  'libmariadb-dev': 'libmariadb3',
  'default-libmysqlclient-dev': 'libmariadb3',
  'libgmp-dev': 'libgmp10',
  'libreadline-dev': 'libreadline8',
  'libbz2-dev': 'libbz2-1.0',
  'liblzma-dev': 'liblzma5',
  'libzstd-dev': 'libzstd1',
  'libsasl2-dev': 'libsasl2-2',
  'libldap2-dev': 'libldap-2.5-0',
  'libpcre3-dev': 'libpcre3',
  'libpcre2-dev': 'libpcre2-8-0',
  'libuuid-dev': 'libuuid1',
  'libsodium-dev': 'libsodium23',
  'libzmq3-dev': 'libzmq5',
  'libevent-dev': 'libevent-2.1-7',
  'libmagic-dev': 'libmagic1',
  'libgdbm-dev': 'libgdbm6',
  'libncurses-dev': 'libncursesw6',
  'libncurses5-dev': 'libncursesw6',
  'libicu-dev': 'libicu72',
  'libstdc++-12-dev': 'libstdc++6',
};
