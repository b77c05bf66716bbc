/**
 * Build scripts and Makefiles a RUN step calls (`./scripts/build.sh`,
 * `sh build.sh`, `make build`): read from the build context and turned into
 * the simple commands they run, so a language module sees the `go build -o`
 * inside them as if the Dockerfile said it. Only simple variable assignments
 * are followed; anything else stays as written (and never matches a path the
 * build does not produce). Pure: the context is injected.
 */
import { joinPath, simpleCommands, type SimpleCommand } from './shell';
import { contextPathOf, type ContextCopy, type ConvertContext, type Step } from './steps';

const SHELLS = /^(\/bin\/|\/usr\/bin\/)?(sh|bash|dash|ash)$/;

/** The script file a command runs (`./x.sh`, `sh x.sh`, `bash scripts/build`), as written; undefined when none. */
export function scriptOf(c: SimpleCommand): string | undefined {
  const w = c.words;
  const first = w[0] ?? '';
  if (SHELLS.test(first)) {
    const arg = w.slice(1).find((x) => !x.startsWith('-'));
    return w.includes('-c') ? undefined : arg;
  }
  if (/\.(sh|bash)$/.test(first) || (first.includes('/') && !/^\/(usr\/)?(local\/)?s?bin\//.test(first) && !first.startsWith('/'))) return first;
  return undefined;
}

/** Does the command run make (`make`, `make build`, `make -C dir target`)? */
export const isMake = (c: SimpleCommand): boolean => /^(g?make)$/.test((c.words[0] ?? '').split('/').pop() ?? '');

/** Replaces `$X`, `${X}`, `${X:-d}` (and `$(X)` for make) from `vars`; unknown ones stay. */
function substitute(text: string, vars: ReadonlyMap<string, string>, make: boolean): string {
  let s = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-=]([^}]*))?\}/g, (m, n: string, d: string | undefined) => vars.get(n) ?? d ?? m);
  s = s.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, n: string) => vars.get(n) ?? m);
  if (make) s = s.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string) => vars.get(n) ?? m);
  return s;
}

function unquote(v: string): string {
  const t = v.trim();
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.endsWith(t[0]) ? t.slice(1, -1) : t;
}

/** The commands of a shell script, top-level `NAME=value` assignments followed. */
export function shellScriptCommands(text: string, cwd: string | undefined): SimpleCommand[] {
  const vars = new Map<string, string>();
  const lines: string[] = [];
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const a = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (a && !/[`]|\$\(/.test(a[2] ?? '')) {
      vars.set(a[1] ?? '', substitute(unquote(a[2] ?? ''), vars, false));
      continue;
    }
    lines.push(substitute(line, vars, false));
  }
  return simpleCommands(lines.join('\n'), cwd);
}

/** The recipe commands `make <targets>` runs (prerequisites first), simple variables followed. */
export function makeCommands(text: string, targets: readonly string[], cwd: string | undefined): SimpleCommand[] {
  const vars = new Map<string, string>();
  const rules = new Map<string, { prereqs: string[]; recipe: string[] }>();
  let first: string | undefined;
  let current: { prereqs: string[]; recipe: string[] } | undefined;
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    if (raw.startsWith('\t')) {
      current?.recipe.push(raw.trim());
      continue;
    }
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const v = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|::=|\+=|=)\s*(.*)$/.exec(line);
    if (v) {
      const [, name, op, value] = v as unknown as [string, string, string, string];
      const val = substitute(value, vars, true);
      if (op === '?=' && vars.has(name)) continue;
      vars.set(name, op === '+=' ? `${vars.get(name) ?? ''} ${val}`.trim() : val);
      current = undefined;
      continue;
    }
    const r = /^([^:=\s][^:=]*?)\s*:(?!=)\s*(.*)$/.exec(line);
    if (r) {
      current = { prereqs: (r[2] ?? '').split(/\s+/).filter(Boolean), recipe: [] };
      for (const t of (r[1] ?? '').split(/\s+/)) {
        rules.set(t, current);
        if (!first && !t.startsWith('.')) first = t;
      }
      continue;
    }
    current = undefined;
  }
  const out: SimpleCommand[] = [];
  const seen = new Set<string>();
  const visit = (t: string, depth: number) => {
    const rule = rules.get(t);
    if (!rule || seen.has(t) || depth > 8) return;
    seen.add(t);
    for (const p of rule.prereqs) visit(p, depth + 1);
    for (const line of rule.recipe) out.push(...simpleCommands(substitute(line.replace(/^[@+-]+/, ''), vars, true).replace(/\$\$/g, '$'), cwd));
  };
  for (const t of targets.length ? targets : first ? [first] : []) visit(t, 0);
  return out;
}

/** The commands a script or make call inside a RUN step runs, read from the context; [] when it cannot be read. */
export function expandScript(c: SimpleCommand, copies: readonly ContextCopy[], context: ConvertContext | undefined): SimpleCommand[] {
  if (!context?.readFile || c.cwd === undefined) return [];
  const read = (imagePath: string) => {
    const p = contextPathOf(copies, imagePath);
    return p === undefined ? undefined : context.readFile?.(p);
  };
  if (isMake(c)) {
    const w = c.words;
    let dir = c.cwd;
    let file = 'Makefile';
    const targets: string[] = [];
    for (let i = 1; i < w.length; i++) {
      const x = w[i] ?? '';
      if (x === '-C' && w[i + 1]) dir = joinPath(dir, w[++i] ?? '');
      else if (x === '-f' && w[i + 1]) file = w[++i] ?? '';
      else if (x.startsWith('-') && /^-[jlo]$/.test(x)) i++;
      else if (!x.startsWith('-') && !x.includes('=')) targets.push(x);
    }
    const text = read(joinPath(dir, file)) ?? (file === 'Makefile' ? (read(joinPath(dir, 'makefile')) ?? read(joinPath(dir, 'GNUmakefile'))) : undefined);
    return text === undefined ? [] : makeCommands(text, targets, dir);
  }
  const script = scriptOf(c);
  if (!script) return [];
  const text = read(joinPath(c.cwd, script));
  return text === undefined ? [] : shellScriptCommands(text, c.cwd);
}

/** The steps with the commands of the scripts and Makefiles their RUNs call added after each call. */
export function withScripts(steps: readonly Step[], copies: readonly ContextCopy[], context: ConvertContext | undefined): Step[] {
  if (!context) return [...steps];
  return steps.map((s) => {
    if (s.keyword !== 'RUN') return s;
    const expanded = s.commands.flatMap((c) => [c, ...expandScript(c, copies, context)]);
    return expanded.length === s.commands.length ? s : { ...s, commands: expanded };
  });
}
