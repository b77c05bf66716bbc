/**
 * What the runtime stage needs, read from the single stage: the commands the
 * container runs (ENTRYPOINT, CMD, HEALTHCHECK), whether they need a shell,
 * the OS packages and files they need, and the user they run as. Pure.
 */
import { expand, type ArgValues } from '../model/expand';
import type { Artifact, LanguagePlan } from './registry';
import { execForm, joinPath, simpleCommands, toExecForm } from './shell';
import { copiedFromContext, DEBIAN_RUNTIME_LIBS, isBuildPackage, packageInstalls, type ContextCopy, type Step } from './steps';

export const SHELL_BUILTINS = new Set([
  'exec',
  'echo',
  'true',
  'false',
  'cd',
  'set',
  'export',
  'test',
  '[',
  'exit',
  'trap',
  'wait',
  'source',
  '.',
  'eval',
  'printf',
  'read',
  'shift',
  'unset',
  'if',
  'then',
  'fi',
  'else',
  'for',
  'do',
  'done',
  'while',
]);
/** Tools every image with a shell has (coreutils and friends in Debian slim). */
export const SHELL_IMAGE_TOOLS = new Set([
  'sh',
  'bash',
  'dash',
  'cat',
  'ls',
  'sleep',
  'env',
  'mkdir',
  'rm',
  'cp',
  'mv',
  'chmod',
  'chown',
  'grep',
  'sed',
  'awk',
  'date',
  'tail',
  'head',
  'touch',
  'id',
  'whoami',
  'hostname',
  'uname',
  'tee',
  'sort',
  'xargs',
  'find',
  'timeout',
  'nohup',
  'kill',
  'ln',
  'pwd',
  'basename',
  'dirname',
  'readlink',
  'realpath',
  'stat',
  'wc',
  'cut',
  'tr',
  'expr',
  'seq',
  'yes',
  'nice',
]);
/** Debian packages for tools a runtime command may use. */
const APT_TOOLS: Readonly<Record<string, string>> = {
  curl: 'curl',
  wget: 'wget',
  nc: 'netcat-openbsd',
  ps: 'procps',
  pgrep: 'procps',
  tini: 'tini',
  'dumb-init': 'dumb-init',
  gosu: 'gosu',
  jq: 'jq',
  ip: 'iproute2',
  ping: 'iputils-ping',
  dig: 'dnsutils',
  bash: 'bash',
  tzdata: 'tzdata',
};
const SYSTEM_DIRS = /^\/(usr\/)?s?bin\//;
const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export const base = (p: string): string => p.replace(/\/+$/, '').split('/').pop() ?? p;

export interface RuntimeCommand {
  readonly step: Step;
  readonly keyword: 'CMD' | 'ENTRYPOINT' | 'HEALTHCHECK';
  /** The text after the keyword (and, for HEALTHCHECK, after its flags and `CMD`). */
  readonly body: string;
  /** Exec-form words, when written so. */
  readonly exec: string[] | undefined;
  /** Exec form that runs a shell (`["sh", "-c", …]`). */
  readonly execShell: boolean;
  /** Shell form that the shell would only split on blanks: its exec-form words. */
  readonly convertible: string[] | undefined;
  /** The simple commands it runs (programs first). */
  readonly commands: readonly (readonly string[])[];
}

function runtimeCommand(step: Step, workdir: string | undefined): RuntimeCommand | undefined {
  const keyword = step.keyword as RuntimeCommand['keyword'];
  let body = step.body.trim();
  if (keyword === 'HEALTHCHECK') {
    const m = /^(?:--\S+\s+)*(CMD|NONE)\b\s*([\s\S]*)$/i.exec(body);
    if (!m || (m[1] ?? '').toUpperCase() === 'NONE') return undefined;
    body = (m[2] ?? '').trim();
  }
  const exec = execForm(body);
  const execShell = !!exec && exec.length >= 2 && /^(\/bin\/|\/usr\/bin\/)?(ba|da|a)?sh$/.test(exec[0] ?? '');
  let commands: (readonly string[])[];
  if (exec && execShell && exec[1] === '-c' && exec[2] !== undefined) commands = simpleCommands(exec[2], workdir).map((c) => c.words);
  else if (exec) commands = exec.length ? [exec] : [];
  else commands = simpleCommands(body, workdir).map((c) => c.words);
  const convertible = exec ? undefined : toExecForm(body);
  return {
    step,
    keyword,
    body,
    exec,
    execShell,
    convertible: convertible && !SHELL_BUILTINS.has(convertible[0] ?? '') ? convertible : undefined,
    commands,
  };
}

/** The container's commands: the last ENTRYPOINT, CMD and HEALTHCHECK, and what they run. */
export interface RuntimeCommands {
  readonly entryStep: Step | undefined;
  readonly cmdStep: Step | undefined;
  readonly all: readonly RuntimeCommand[];
  readonly entry: RuntimeCommand | undefined;
  readonly cmd: RuntimeCommand | undefined;
  /** What runs: ENTRYPOINT with CMD as its arguments, or CMD alone; HEALTHCHECK on its own. */
  readonly effective: readonly { keyword: string; words: string[]; step: Step }[];
  /** The effective words of ENTRYPOINT/CMD (no HEALTHCHECK). */
  readonly runtimeWords: string[][];
}

export function runtimeCommands(steps: readonly Step[], workdir: string | undefined): RuntimeCommands {
  const last = (k: string) => [...steps].reverse().find((s) => s.keyword === k);
  const entryStep = last('ENTRYPOINT');
  const cmdStep = last('CMD');
  const healthStep = last('HEALTHCHECK');
  const all = [entryStep, cmdStep, healthStep].flatMap((s) => (s ? [runtimeCommand(s, workdir)].filter((x): x is RuntimeCommand => !!x) : []));
  const entry = all.find((r) => r.keyword === 'ENTRYPOINT');
  const cmd = all.find((r) => r.keyword === 'CMD');
  const effective: { keyword: string; words: string[]; step: Step }[] = [];
  if (entry?.exec && !entry.execShell)
    effective.push({ keyword: 'ENTRYPOINT', words: [...entry.exec, ...(cmd ? (cmd.exec ?? ['/bin/sh', '-c', cmd.body]) : [])], step: entry.step });
  else if (entry) effective.push(...entry.commands.map((c) => ({ keyword: 'ENTRYPOINT', words: [...c], step: entry.step })));
  else if (cmd) effective.push(...cmd.commands.map((c) => ({ keyword: 'CMD', words: [...c], step: cmd.step })));
  const health = all.find((r) => r.keyword === 'HEALTHCHECK');
  if (health) effective.push(...health.commands.map((c) => ({ keyword: 'HEALTHCHECK', words: [...c], step: health.step })));
  return { entryStep, cmdStep, all, entry, cmd, effective, runtimeWords: effective.filter((e) => e.keyword !== 'HEALTHCHECK').map((e) => e.words) };
}

/** Shell syntax in CMD/ENTRYPOINT/HEALTHCHECK: the runtime needs /bin/sh. */
export function commandsNeedShell(rc: RuntimeCommands): boolean {
  for (const r of rc.all) {
    if (r.execShell) return true;
    if (!r.exec && !r.convertible) return true;
    if (!r.exec && r.keyword === 'ENTRYPOINT' && rc.cmdStep) return true; // shell-form ENTRYPOINT ignores CMD; exec form would not
    if (!r.exec && r.keyword === 'CMD' && rc.entry?.exec) return true; // the shell form's `/bin/sh -c` is part of the arguments
  }
  return false;
}

/** OS packages the builder installs that the runtime needs too, and whether it wants tzdata / CA certificates. */
export interface PackageNeeds {
  readonly packages: Set<string>;
  readonly tzdata: boolean;
  readonly certs: boolean;
  readonly manager: 'apt' | 'apk' | 'yum';
}

export function packageNeeds(
  steps: readonly Step[],
  plan: LanguagePlan,
  systemLibs: 'none' | 'mapped' | 'mapped-or-todo',
  alpine: boolean,
  todos: string[],
): PackageNeeds {
  const packages = new Set<string>(plan.runtimePackages);
  let tzdata = false;
  let certs = false;
  const installs = packageInstalls(steps);
  for (const inst of installs) {
    for (const p of inst.packages) {
      if (p === 'tzdata') tzdata = true;
      else if (p === 'ca-certificates') certs = true;
      else if (!isBuildPackage(p)) packages.add(p);
      else if (/-dev$/.test(p) && systemLibs !== 'none') {
        const lib = DEBIAN_RUNTIME_LIBS[p];
        if (lib && inst.manager === 'apt') packages.add(lib);
        else if (systemLibs === 'mapped-or-todo' && inst.manager === 'apt' && p !== 'libc6-dev' && p !== 'linux-libc-dev')
          todos.push(`The builder installs ${p}: install its runtime library in the runtime stage if the program links against it.`);
      }
    }
  }
  return { packages, tzdata, certs, manager: installs[0]?.manager ?? (alpine ? 'apk' : 'apt') };
}

function looksLikeFile(w: string): boolean {
  return (
    !w.startsWith('-') &&
    !/^[a-z]+:\/\//i.test(w) &&
    !w.includes('$') &&
    (w.includes('/') || /\.(js|mjs|cjs|py|jar|dll|ya?ml|json|toml|conf|ini|cfg|sh|env|txt|xml|properties|html)$/.test(w))
  );
}

export function covered(artifacts: readonly Artifact[], path: string, args: ArgValues): boolean {
  const p = expand(path, args).value;
  return artifacts.some((x) => {
    const to = expand(x.to, args).value;
    return to === p || (to.endsWith('/') && (p + '/').startsWith(to)) || to === p + '/';
  });
}

export interface ProgramCheckInput {
  readonly rc: RuntimeCommands;
  /** Instructions the language rewrites (their commands are not checked as written). */
  readonly rewritten: (s: Step) => boolean;
  readonly plan: LanguagePlan;
  readonly artifacts: Artifact[];
  readonly copies: readonly ContextCopy[];
  readonly workdir: string | undefined;
  readonly args: ArgValues;
  readonly needs: PackageNeeds;
  readonly todos: string[];
  readonly notes: string[];
}

/**
 * The programs the container runs must exist in the runtime image: built
 * artifacts (moved onto PATH when run by name), files copied from the context,
 * tools of the language image or the shell image, or Debian packages. Returns
 * whether a shell image is needed for them.
 */
export function checkPrograms(inp: ProgramCheckInput): boolean {
  const { rc, plan, artifacts, workdir, todos } = inp;
  let needShell = false;
  const checks: { name: string; keyword: string }[] = [];
  for (const { keyword, words, step } of rc.effective) {
    if (inp.rewritten(step)) continue;
    let i = 0;
    // `exec foo`, `env X=1 foo`, `tini -- foo` run foo.
    while (
      i < words.length &&
      (['exec', 'env', 'nohup', 'tini', 'dumb-init', '--'].includes(base(words[i] ?? '')) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] ?? ''))
    ) {
      if (['tini', 'dumb-init', 'env'].includes(base(words[i] ?? ''))) checks.push({ name: words[i] ?? '', keyword });
      i++;
    }
    const program = words[i];
    if (program === undefined) continue;
    checks.push({ name: program, keyword });
    // Files the command names (config files, scripts, jars): copy them when the builder has them from the context.
    for (const w of words.slice(i + 1)) {
      if (!looksLikeFile(w)) continue;
      const path = w.startsWith('/') ? joinPath('/', w) : workdir !== undefined ? joinPath(workdir, w) : undefined;
      if (path && !covered(artifacts, path, inp.args) && copiedFromContext(inp.copies, path) && !w.endsWith('.dll'))
        artifacts.push({ from: path, to: path, why: `used by ${keyword}` });
    }
  }
  const tools = new Set([...plan.tools, ...SHELL_IMAGE_TOOLS]);
  for (const { name, keyword } of checks) {
    const b = base(name);
    if (plan.toolchainCommands.has(b) || rc.effective.some((e) => e.words[0] === name && plan.toolchainRun?.(e.words) === true)) {
      todos.push(`${keyword} runs the toolchain (\`${b}\`) at run time: build the program in the builder and run the result instead.`);
      continue;
    }
    if (name.includes('/') && !SYSTEM_DIRS.test(name)) {
      const path = name.startsWith('/') ? joinPath('/', name) : workdir !== undefined ? joinPath(workdir, name) : undefined;
      if (!path) todos.push(`Could not resolve \`${name}\` (the working directory is unknown).`);
      else if (!covered(artifacts, path, inp.args) && !plan.notProduced?.includes(path))
        artifacts.push({ from: path, to: path, why: `the program ${keyword} runs` });
      continue;
    }
    if (tools.has(b) || SHELL_BUILTINS.has(b)) {
      if (SHELL_IMAGE_TOOLS.has(b) && !plan.tools.has(b)) needShell = true;
      continue;
    }
    const art = artifacts.find((a) => base(a.to) === b);
    if (art) {
      const dir = art.to.slice(0, art.to.lastIndexOf('/')) || '/';
      if (!DEFAULT_PATH.includes(dir) && !plan.pathDirs.includes(dir)) art.to = `/usr/local/bin/${b}`;
      continue;
    }
    const pkg = APT_TOOLS[b];
    if (pkg && inp.needs.manager === 'apt') {
      inp.needs.packages.add(pkg);
      inp.notes.push(`${keyword} uses ${b}: the runtime stage installs ${pkg}.`);
      continue;
    }
    if (plan.pathDirs.length) continue; // installed in the virtualenv (or pip --user) that is copied
    todos.push(`${keyword} runs \`${b}\`, which the runtime image may not have: install or copy it.`);
  }
  return needShell;
}
