/**
 * Maps a failed build's output back to Dockerfile lines. Pure. Understands
 *  - BuildKit's summary of a failed step: ` > [builder 2/3] RUN make:` between `------` lines;
 *  - `[internal] load metadata for <image>` (a base image that cannot be had);
 *  - the source excerpt newer BuildKit prints (`Dockerfile:12` above a `-----` line);
 *  - the legacy builder's `Step 3/5 : RUN make` (steps count every instruction, global ARGs too);
 *  - podman/buildah's `[2/3] STEP 4/5: RUN make` (stage 2, its 4th instruction, FROM included);
 *  - `target stage X could not be found` / `failed to reach build target X`;
 *  - `dockerfile parse error line N`.
 */
import { editDistance, type BuildTargetsResult, type InstructionOutline, type PlainRange, type StageOutline } from '../protocol';

export interface BuildProblem {
  readonly range: PlainRange;
  readonly message: string;
}

// eslint-disable-next-line no-control-regex -- ANSI escape sequences are control characters
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

export function outputLines(text: string): string[] {
  return text.replace(ANSI, '').split(/\r?\n|\r/);
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

function stripPrefixes(line: string): string {
  let s = line.trim();
  for (;;) {
    const t = s.replace(
      /^(ERROR:|error:|Error:|Error response from daemon:|failed to solve with frontend dockerfile\.v0:|failed to solve:|failed to create LLB definition:)\s*/,
      '',
    );
    if (t === s) return s;
    s = t;
  }
}

function firstLine(r: PlainRange): PlainRange {
  return r.start.line === r.end.line ? r : { start: r.start, end: { line: r.start.line, character: r.start.character + 1000 } };
}

function lineRange(outline: BuildTargetsResult, line: number): PlainRange {
  for (const i of [...outline.prelude, ...outline.stages.flatMap((s) => s.instructions)]) {
    if (i.range.start.line <= line && i.range.end.line >= line) return i.range;
  }
  return { start: { line, character: 0 }, end: { line, character: 1000 } };
}

/** BuildKit names unnamed stages `stage-<index>`. */
function stageById(outline: BuildTargetsResult, id: string): StageOutline | undefined {
  const lower = id.toLowerCase();
  const named = [...outline.stages].reverse().find((s) => s.name === lower);
  if (named) return named;
  const m = /^stage-(\d+)$/.exec(lower);
  return m ? outline.stages[Number(m[1])] : undefined;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The instruction a builder printed as `text` among `candidates` (same keyword; exact text first, else the longest common prefix). */
function matchInstruction(candidates: readonly InstructionOutline[], text: string): InstructionOutline | undefined {
  const t = norm(text);
  const kw = (t.split(' ')[0] ?? '').toUpperCase();
  const same = candidates.filter((i) => i.keyword === kw);
  const exact = same.find((i) => norm(i.text) === t);
  if (exact) return exact;
  let best: InstructionOutline | undefined;
  let bestLen = -1;
  // BuildKit prints the keyword upper-case and expands $VARS, so compare case-insensitively from the keyword on.
  for (const i of same) {
    const l = commonPrefix(norm(i.text).toLowerCase(), t.toLowerCase());
    if (l > bestLen) {
      best = i;
      bestLen = l;
    }
  }
  return best;
}

function normaliseImage(ref: string): string {
  let r = ref
    .trim()
    .replace(/^docker\.io\//, '')
    .replace(/^library\//, '');
  if (!/:[^/]+$/.test(r) && !r.includes('@')) r += ':latest';
  return r;
}

function details(lines: readonly string[]): string[] {
  return lines
    .map((l) => l.replace(/^#\d+ \d+(\.\d+)? /, '').trimEnd())
    .filter((l) => l.trim() !== '' && !/^#\d+ (sha256:|DONE|ERROR|CANCELED)/.test(l))
    .slice(-8);
}

function withDetails(head: string, more: readonly string[]): string {
  return more.length ? `${head}\n${more.join('\n')}` : head;
}

/** Problems on Dockerfile lines for a failed build of `outline` (the Dockerfile `fileName`). */
export function locateBuildErrors(output: string, outline: BuildTargetsResult, fileName: string): BuildProblem[] {
  const lines = outputLines(output);
  const out: BuildProblem[] = [];
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  const final = stripPrefixes(nonEmpty[nonEmpty.length - 1] ?? 'the build failed');
  const all = lines.join('\n');
  const firstFrom = outline.stages[0]?.instructions[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 1000 } };

  // A target that is not a stage.
  const tm = /target stage "?([^"\s]+?)"? could not be found/.exec(all) ?? /failed to reach build target (\S+) in Dockerfile/.exec(all);
  if (tm) {
    const wanted = (tm[1] ?? '').toLowerCase();
    const names = outline.stages.map((s) => s.name).filter((n): n is string => n !== null);
    const guess = names
      .map((n) => ({ n, d: editDistance(wanted, n, 2) }))
      .filter((x) => x.d <= 2)
      .sort((a, b) => a.d - b.d)[0]?.n;
    const near = guess ? outline.stages.find((s) => s.name === guess) : undefined;
    out.push({
      range: near ? near.selection : firstLine(firstFrom),
      message: `Target stage '${tm[1]}' could not be found in ${fileName}${guess ? `: did you mean '${guess}'?` : names.length ? ` (its named stages: ${names.join(', ')})` : ' (it has no named stages)'}`,
    });
    return out;
  }

  // A parse error with a line number.
  const pm = /parse error (?:on )?line (\d+): ([^\n]*)/i.exec(all);
  if (pm) {
    const line = Number(pm[1]) - 1;
    return [{ range: firstLine(lineRange(outline, line)), message: `Dockerfile parse error: ${pm[2]}` }];
  }

  // BuildKit: the summary blocks of failed steps.
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? '';
    const step = /^ > \[(?:([^\]\s]+) )?\d+\/\d+\] (.+):$/.exec(l);
    const meta = /^ > \[internal\] load metadata for (.+):$/.exec(l);
    if (!step && !meta) continue;
    const body: string[] = [];
    for (let j = i + 1; j < lines.length && !/^-{6,}$/.test(lines[j] ?? ''); j++) body.push(lines[j] ?? '');
    if (meta) {
      const img = normaliseImage(meta[1] ?? '');
      for (const s of outline.stages) {
        // The outline crosses a process boundary: a stage without its FROM gets no problem rather than a throw.
        const from = s.instructions[0];
        if (from && normaliseImage(s.base) === img)
          out.push({
            range: firstLine(from.range),
            message: `Cannot get the base image ${s.base}: ${final}`,
          });
      }
      continue;
    }
    if (!step) continue;
    const text = step[2] ?? '';
    const id = step[1];
    if (id === undefined) {
      // `[1/3] FROM docker.io/library/debian:bookworm`: a base image shared by stages.
      const img = /^FROM (\S+)/i.exec(text);
      for (const s of img ? outline.stages : []) {
        // The outline crosses a process boundary: a stage without its FROM gets no problem rather than a throw.
        const from = s.instructions[0];
        if (from && normaliseImage(s.base) === normaliseImage(img?.[1] ?? ''))
          out.push({
            range: firstLine(from.range),
            message: `Cannot get the base image ${s.base}: ${final}`,
          });
      }
      continue;
    }
    const stage = stageById(outline, id);
    if (!stage) continue;
    const kw = (text.split(' ')[0] ?? '').toUpperCase();
    const ins = kw === 'FROM' ? stage.instructions[0] : matchInstruction(stage.instructions, text);
    const hit = ins ?? stage.instructions[0];
    if (!hit) continue;
    const range = hit.range;
    // The step's own output: the lines `#<vertex> <seconds> …` of the vertex `#<vertex> [stage i/n] text`.
    const header = l.slice(3, -1);
    const vertex = lines.map((x) => /^#(\d+) (.*)$/.exec(x)).find((m) => m !== null && m[2] === header)?.[1];
    const own = vertex ? lines.filter((x) => x.startsWith(`#${vertex} `) && /^#\d+ \d+\.\d+ /.test(x)) : [];
    out.push({ range, message: withDetails(`${kw} failed: ${final}`, details([...own, ...body])) });
  }
  if (out.length) return out;

  // Newer BuildKit: a source excerpt under `Dockerfile:12`.
  for (let i = 0; i + 1 < lines.length; i++) {
    const m = /^(\S+):(\d+)$/.exec((lines[i] ?? '').trim());
    if (m && /^-{6,}$/.test((lines[i + 1] ?? '').trim()) && (m[1] ?? '').split(/[\\/]/).pop() === fileName) {
      out.push({ range: lineRange(outline, Number(m[2]) - 1), message: final });
    }
  }
  if (out.length) return out;

  const podman = podmanStepError(lines, outline, final);
  if (podman) return [podman];
  const legacy = legacyStepError(lines, outline, final);
  return legacy ? [legacy] : [];
}

/** podman and buildah: the last `[s/N] STEP k/n: …` is the step that failed. */
function podmanStepError(lines: readonly string[], outline: BuildTargetsResult, final: string): BuildProblem | undefined {
  let lastPodman = -1;
  for (let i = 0; i < lines.length; i++) if (/^(?:\[\d+\/\d+\] )?STEP \d+\/\d+: /.test(lines[i] ?? '')) lastPodman = i;
  if (lastPodman >= 0) {
    const m = /^(?:\[(\d+)\/\d+\] )?STEP (\d+)\/\d+: (.*)$/.exec(lines[lastPodman] ?? '') as RegExpExecArray;
    const stage = outline.stages[m[1] ? Number(m[1]) - 1 : 0];
    const text = m[3] ?? '';
    const kw = (text.split(' ')[0] ?? '').toUpperCase();
    const byIndex = stage?.instructions[Number(m[2]) - 1];
    const ins =
      byIndex && byIndex.keyword === kw
        ? byIndex
        : (matchInstruction(stage?.instructions ?? [], text) ??
          matchInstruction(
            outline.stages.flatMap((s) => s.instructions),
            text,
          ));
    if (ins) {
      const more = details(lines.slice(lastPodman + 1)).filter((l) => stripPrefixes(l) !== final);
      return { range: ins.range, message: withDetails(`${kw} failed: ${final}`, more) };
    }
  }

  return undefined;
}

/** The legacy builder: the last `Step k/n : …` is the step that failed. */
function legacyStepError(lines: readonly string[], outline: BuildTargetsResult, final: string): BuildProblem | undefined {
  let lastStep = -1;
  for (let i = 0; i < lines.length; i++) if (/^Step \d+\/\d+ : /.test(lines[i] ?? '')) lastStep = i;
  if (lastStep >= 0) {
    const m = /^Step (\d+)\/\d+ : (.*)$/.exec(lines[lastStep] ?? '') as RegExpExecArray;
    const flat = [...outline.prelude, ...outline.stages.flatMap((s) => s.instructions)];
    const k = Number(m[1]) - 1;
    const text = m[2] ?? '';
    const byIndex = flat[k];
    const kw = (text.split(' ')[0] ?? '').toUpperCase();
    const ins = byIndex && byIndex.keyword === kw ? byIndex : matchInstruction(flat, text);
    if (ins) {
      const after = lines.slice(lastStep + 1).filter((l) => !/^ ---> |^Removing intermediate container|^Sending build context/.test(l));
      const more = details(after).filter((l) => stripPrefixes(l) !== final);
      return { range: ins.range, message: withDetails(`${kw} failed: ${final}`, more) };
    }
  }
  return undefined;
}
