/**
 * What each instruction cost: the image's history (`docker history`, `podman history`)
 * mapped onto the instructions of the stages the target built, and BuildKit's step
 * times (`#N DONE 1.2s`, `#N CACHED`) mapped onto the same instructions. Pure: the
 * client runs the commands and draws the figures.
 *
 * The image's history ends with one entry per instruction (FROM excepted) of the
 * target and of the stages it is built on (`FROM <stage>`, oldest first); COPY --from
 * sources add no history. BuildKit writes `RUN [|N K=V…] /bin/sh -c <cmd> # buildkit`,
 * `COPY <src> <dest> # buildkit`, `ENV X=1`; the legacy builder and podman
 * `[|N K=V…] /bin/sh -c <cmd>` and `/bin/sh -c #(nop) COPY file:<hash> in <dest>`.
 * The mapping is certain or it is nothing: every instruction must meet an entry of its
 * own keyword (and RUN its command, COPY/ADD its destination), else no figure is shown.
 */
import type { Builder } from './argv';
import type { BuildTargetsResult, InstructionOutline, StageOutline } from '../../../server/src/protocol';

export interface HistoryEntry {
  readonly createdBy: string;
  /** Bytes. */
  readonly size: number;
}

export interface LayerFigure {
  readonly stage: number;
  /** 0-based line of the instruction. */
  readonly line: number;
  readonly keyword: string;
  /** The instruction, one line. */
  readonly text: string;
  /** Bytes the instruction added. */
  readonly size: number;
  /** BuildKit's step time, seconds. */
  readonly seconds: number | undefined;
  /** BuildKit took the step from its cache. */
  readonly cached: boolean;
}

export interface LayerMap {
  /** Figures for the instructions of the built stages that made a layer (RUN, COPY, ADD, WORKDIR, or any with a size). */
  readonly figures: readonly LayerFigure[];
  /** The stages whose instructions are in the image (the FROM chain of the target), oldest first. */
  readonly chain: readonly number[];
  /** Bytes of the base image (history entries below the chain's instructions). */
  readonly baseSize: number;
}

/** argv for the image's history, sizes in bytes; undefined for builders without one (buildah). */
export function historyArgv(builder: Builder, tag: string, cwd: string): { command: string; args: string[]; cwd: string } | undefined {
  if (builder.kind === 'buildah') return undefined;
  if (builder.kind === 'podman') return { command: builder.command, args: ['history', '--no-trunc', '--format', 'json', '--', tag], cwd };
  return { command: builder.command, args: ['history', '--no-trunc', '--human=false', '--format', '{{json .}}', '--', tag], cwd };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function entryOf(x: unknown): HistoryEntry | undefined {
  if (!isRecord(x)) return undefined;
  const by = x['CreatedBy'] ?? x['createdBy'] ?? x['created_by'];
  const size = x['Size'] ?? x['size'];
  const n = typeof size === 'number' ? size : typeof size === 'string' && /^\d+$/.test(size.trim()) ? Number(size) : NaN;
  if (typeof by !== 'string' || !Number.isFinite(n)) return undefined;
  return { createdBy: by, size: n };
}

/**
 * Parses `history` output, newest first as the tools print it, into oldest-first entries:
 * JSON lines (docker, nerdctl) or one JSON array (podman). Undefined when any record is unreadable.
 */
export function parseHistory(stdout: string): HistoryEntry[] | undefined {
  const s = stdout.trim();
  if (s === '') return undefined;
  let records: unknown[];
  try {
    records = s.startsWith('[')
      ? (JSON.parse(s) as unknown[])
      : s
          .split(/\r?\n/)
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as unknown);
  } catch {
    return undefined;
  }
  if (!Array.isArray(records)) return undefined;
  const out: HistoryEntry[] = [];
  for (const r of records) {
    const e = entryOf(r);
    if (!e) return undefined;
    out.push(e);
  }
  return out.reverse();
}

const KEYWORDS = new Set([
  'RUN',
  'COPY',
  'ADD',
  'ENV',
  'ARG',
  'WORKDIR',
  'CMD',
  'ENTRYPOINT',
  'LABEL',
  'EXPOSE',
  'USER',
  'VOLUME',
  'SHELL',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'ONBUILD',
  'MAINTAINER',
]);
const ws = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Drops `|N K=V …` (the build args a RUN saw) from the front. */
function dropArgPrefix(s: string): string {
  const m = /^\|(\d+)\s+/.exec(s);
  if (!m) return s;
  let rest = s.slice(m[0].length);
  for (let k = 0; k < Number(m[1]); k++) rest = rest.replace(/^\S+\s*/, '');
  return rest;
}

/** The keyword and the rest of a history entry's CreatedBy; keyword '' for what no Dockerfile instruction wrote. */
export function describeEntry(createdBy: string): { keyword: string; body: string } {
  let s = ws(createdBy).replace(/\s*# buildkit$/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s*(\w+)\s*(.*)$/.exec(s);
  if (nop) return { keyword: (nop[1] ?? '').toUpperCase(), body: nop[2] ?? '' };
  const first = /^(\w+)\b\s*(.*)$/.exec(s);
  if (first && KEYWORDS.has(first[1] ?? '')) {
    if (first[1] !== 'RUN') return { keyword: first[1] ?? '', body: first[2] ?? '' };
    s = first[2] ?? '';
    return { keyword: 'RUN', body: dropArgPrefix(s).replace(/^\/bin\/sh -c /, '') };
  }
  const legacyRun = dropArgPrefix(s);
  if (legacyRun.startsWith('/bin/sh -c ')) return { keyword: 'RUN', body: legacyRun.slice('/bin/sh -c '.length) };
  return { keyword: '', body: s };
}

/** The instruction's arguments without its keyword and leading `--flags`. */
function argsOf(i: InstructionOutline): string {
  let s = ws(i.text).replace(/^\S+\s*/, '');
  while (/^--\S+\s*/.test(s)) s = s.replace(/^--\S+\s*/, '');
  return s;
}

function destination(args: string): string | undefined {
  if (args.startsWith('[')) {
    try {
      const a = JSON.parse(args) as unknown;
      const last: unknown = Array.isArray(a) ? a[a.length - 1] : undefined;
      return typeof last === 'string' ? last : undefined;
    } catch {
      return undefined;
    }
  }
  return args.split(' ').pop();
}

/** Whether a history entry is certainly the one `i` made. */
export function entryMatches(i: InstructionOutline, e: HistoryEntry): boolean {
  const d = describeEntry(e.createdBy);
  if (d.keyword !== i.keyword) return false;
  const args = argsOf(i);
  // Heredocs and exec forms are written differently by each builder: the keyword must do.
  if (args.includes('<<') || args.startsWith('[')) return i.keyword !== 'COPY' && i.keyword !== 'ADD' ? true : destination(args) === destination(ws(d.body));
  if (i.keyword === 'RUN') return ws(d.body) === args;
  if (i.keyword === 'COPY' || i.keyword === 'ADD') return destination(args) === destination(ws(d.body));
  return true;
}

/** The stages a build of `stage` has in its image: `stage` and the stages its FROM names, oldest first. */
export function fromChain(stages: readonly StageOutline[], stage: number): number[] {
  const chain: number[] = [];
  let cur: StageOutline | undefined = stages[stage];
  const seen = new Set<number>();
  while (cur && !seen.has(cur.index)) {
    seen.add(cur.index);
    chain.unshift(cur.index);
    const base = cur.base;
    let next: StageOutline | undefined;
    // BuildKit: FROM <x> finds an earlier stage by its name exactly as written.
    for (const s of stages) if (s.index < cur.index && s.name !== null && s.name === base) next = s;
    cur = next;
  }
  return chain;
}

const LAYER_KEYWORDS = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);

/** BuildKit's plain progress: per stage name (`builder`, `stage-2`), step k of m → { seconds, cached, keyword }. */
export function parseBuildKitSteps(
  output: string,
): Map<string, { m: number; steps: Map<number, { seconds: number | undefined; cached: boolean; keyword: string }> }> {
  const vertex = new Map<string, { stage: string; k: number; m: number; keyword: string }>();
  const result = new Map<string, { m: number; steps: Map<number, { seconds: number | undefined; cached: boolean; keyword: string }> }>();
  const get = (id: string) => {
    const v = vertex.get(id);
    if (!v) return undefined;
    let r = result.get(v.stage);
    if (!r) result.set(v.stage, (r = { m: v.m, steps: new Map() }));
    let st = r.steps.get(v.k);
    if (!st) r.steps.set(v.k, (st = { seconds: undefined, cached: false, keyword: v.keyword }));
    return st;
  };
  for (const raw of output.split(/\r?\n/)) {
    // eslint-disable-next-line no-control-regex -- ANSI colour codes in the builder's output
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
    const head = /^#(\d+) \[([^\]\s]+) (\d+)\/(\d+)\] (\w+)/.exec(line);
    if (head) {
      const id = head[1] ?? '';
      vertex.set(id, { stage: head[2] ?? '', k: Number(head[3]), m: Number(head[4]), keyword: (head[5] ?? '').toUpperCase() });
      get(id);
      continue;
    }
    const done = /^#(\d+) DONE (\d+(?:\.\d+)?)s\s*$/.exec(line);
    if (done) {
      const st = get(done[1] ?? '');
      if (st) st.seconds = Number(done[2]);
      continue;
    }
    const cached = /^#(\d+) CACHED\s*$/.exec(line);
    if (cached) {
      const st = get(cached[1] ?? '');
      if (st) st.cached = true;
    }
  }
  return result;
}

/**
 * Maps the history of the image built for `stage` onto the instructions of `outline`.
 * Undefined when the mapping is not certain (the file changed since, ONBUILD triggers,
 * a history that is not this Dockerfile's).
 */
export function mapLayers(
  outline: Pick<BuildTargetsResult, 'stages'>,
  stage: number,
  history: readonly HistoryEntry[],
  buildOutput = '',
): LayerMap | undefined {
  const chain = fromChain(outline.stages, stage);
  if (chain.length === 0) return undefined;
  // fromChain lists indexes of stages it found in `outline.stages`; a chain that does not is no certain mapping.
  const chainStages: { s: number; so: StageOutline }[] = [];
  for (const s of chain) {
    const so = outline.stages[s];
    if (!so) return undefined;
    chainStages.push({ s, so });
  }
  const expected: { stage: number; i: InstructionOutline }[] = [];
  for (const { s, so } of chainStages) for (const i of so.instructions.slice(1)) expected.push({ stage: s, i });
  if (history.length < expected.length) return undefined;
  const offset = history.length - expected.length;
  for (let k = 0; k < expected.length; k++) {
    // Both defined: k < expected.length and offset + k < history.length.
    const e = expected[k];
    const h = history[offset + k];
    if (!e || !h || !entryMatches(e.i, h)) return undefined;
  }
  // Step times: step k of a stage is its k-th instruction that makes an LLB op, after FROM.
  const steps = parseBuildKitSteps(buildOutput);
  const times = new Map<InstructionOutline, { seconds: number | undefined; cached: boolean }>();
  for (const { s, so } of chainStages) {
    const st = steps.get(so.name ?? `stage-${s}`);
    const ops = so.instructions.slice(1).filter((i) => LAYER_KEYWORDS.has(i.keyword));
    // A stage built on an image has a FROM step first; one built on a stage has none.
    const first = st?.m === ops.length + 1 ? 2 : st?.m === ops.length && st.steps.get(1)?.keyword !== 'FROM' ? 1 : undefined;
    if (!st || first === undefined) continue;
    ops.forEach((i, n) => {
      const step = st.steps.get(n + first);
      if (step && step.keyword === i.keyword) times.set(i, { seconds: step.seconds, cached: step.cached });
    });
  }
  const figures: LayerFigure[] = [];
  expected.forEach(({ stage: s, i }, k) => {
    const size = history[offset + k]?.size ?? 0;
    if (!LAYER_KEYWORDS.has(i.keyword) && size === 0) return;
    const t = times.get(i);
    figures.push({ stage: s, line: i.range.start.line, keyword: i.keyword, text: i.text, size, seconds: t?.seconds, cached: t?.cached ?? false });
  });
  const baseSize = history.slice(0, offset).reduce((n, e) => n + e.size, 0);
  return { figures, chain, baseSize };
}

/** `+3.0 MB · 0.8 s`, `+0 B · cached`. */
export function figureText(f: LayerFigure, formatSize: (n: number) => string): string {
  const time = f.cached ? ' · cached' : f.seconds !== undefined ? ` · ${f.seconds.toFixed(1)} s` : '';
  return `+${formatSize(f.size)}${time}`;
}
