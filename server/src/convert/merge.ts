/**
 * The "builder pattern" that predates multi-stage builds: a Dockerfile.build
 * that compiles, a script that extracts the result (`docker create` +
 * `docker cp`, or `docker run … cat file > out`), and a Dockerfile that COPYs
 * the extracted files into a small image. This merges the three into one
 * multi-stage Dockerfile: the build file's stages, then the runtime file's,
 * with each COPY of an extracted file turned into `COPY --from=<builder>` of
 * the path inside the builder. Nothing is dropped: rewritten lines stay as
 * comments. Pure.
 */
import { buildModel, type Stage, type StageModel } from '../model/model';
import { defined } from '../model/text';
import { parseImage } from './images';
import { analyzeLanguage, languageOfCommand, languageOfImage, type Language } from './registry';
import { joinPath } from './shell';
import { contextCopies, finalWorkdir, walkStage } from './steps';
import { lostLines } from './convert';

export interface Extraction {
  /** Path inside the build container (absolute). */
  readonly from: string;
  /** Host path the script writes, relative to the script's directory (normalised, no `./`). */
  readonly to: string;
}

export interface MergeResult {
  readonly text: string;
  readonly builderName: string;
  readonly extractions: readonly Extraction[];
  /** COPY lines that were rewritten (1-based line in the runtime Dockerfile → new text). */
  readonly rewritten: readonly { line: number; text: string }[];
  readonly todos: readonly string[];
  readonly notes: readonly string[];
  readonly lost: readonly string[];
}

const norm = (p: string) =>
  p
    .replace(/^\.\//, '')
    .replace(/\/+$/, '')
    .replace(/\/\.\//g, '/');

/** Joins backslash continuations so each command is on one line. */
function logicalLines(script: string): string[] {
  return script
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

/** `docker cp <ctr>:<src> <dest>` and `docker run … <image> cat <src> > <dest>` in a shell script. */
export function parseExtractions(script: string): { extractions: Extraction[]; images: string[] } {
  const extractions: Extraction[] = [];
  const images: string[] = [];
  for (const line of logicalLines(script)) {
    for (const part of line.split(/&&|\|\||;/)) {
      const p = part.trim();
      const cp = /\bdocker\s+(?:container\s+)?cp\s+(?:-\S+\s+)*["']?[^\s:"']+["']?:([^\s"']+)["']?\s+["']?([^\s"']+)["']?/.exec(p);
      if (cp) {
        const src = cp[1] ?? '';
        extractions.push({ from: src.startsWith('/') ? src : '/' + src, to: norm(cp[2] ?? '') || '.' });
        continue;
      }
      const cat = /\bdocker\s+(?:container\s+)?run\b.*?\s(?:cat|\/bin\/cat)\s+(\S+)\s*>\s*(\S+)/.exec(p);
      if (cat) {
        const src = cat[1] ?? '';
        extractions.push({ from: src.startsWith('/') ? src : '/' + src, to: norm(cat[2] ?? '') });
        continue;
      }
      const build = /\bdocker\s+(?:image\s+|buildx\s+)?build\b(.*)$/.exec(p);
      if (build) {
        const tag = /(?:-t|--tag)[=\s]+["']?([^\s"']+)/.exec(build[1] ?? '')?.[1];
        if (tag) images.push(tag);
      }
    }
  }
  return { extractions, images };
}

function builderLanguage(model: StageModel, s: Stage): Language | undefined {
  const byImage = languageOfImage(parseImage(s.base.value || s.base.raw));
  if (byImage) return byImage;
  for (const step of walkStage(model, s))
    for (const c of step.commands) {
      const l = languageOfCommand(c);
      if (l) return l;
    }
  return undefined;
}

/**
 * Merges a builder-pattern trio. `script` is the extraction script (build.sh);
 * without it, COPY sources are matched by name against what the builder
 * produces. `runtimeName` is used in messages only.
 */
export function mergeBuilderPattern(buildText: string, runtimeText: string, script?: string): MergeResult | { error: string } {
  const build = buildModel(buildText);
  const run = buildModel(runtimeText);
  const builder = build.stages[build.stages.length - 1];
  if (!builder) return { error: 'The build Dockerfile has no FROM.' };
  if (run.stages.length === 0) return { error: 'The runtime Dockerfile has no FROM.' };
  if (build.escapeChar !== run.escapeChar) return { error: 'The two Dockerfiles use different escape characters.' };
  const taken = new Set(run.stages.map((s) => s.name).filter((n): n is string => !!n));
  for (const s of build.stages) if (s.name && taken.has(s.name)) return { error: `Both Dockerfiles declare a stage named '${s.name}': rename one first.` };
  let builderName = builder.name ?? 'builder';
  for (let n = 2; !builder.name && (taken.has(builderName) || build.stages.some((s) => s.name === builderName)); n++) builderName = `builder${n}`;

  const todos: string[] = [];
  const notes: string[] = [];
  const parsed = script ? parseExtractions(script) : { extractions: [], images: [] };
  const extractions: Extraction[] = [...parsed.extractions];
  if (!script || extractions.length === 0) {
    // No script (or nothing extracted in it): what the builder produces, by file name.
    const steps = walkStage(build, builder);
    const language = builderLanguage(build, builder);
    if (language) {
      const plan = analyzeLanguage({
        steps,
        base: parseImage(builder.base.value || builder.base.raw),
        language,
        context: undefined,
        copies: contextCopies(steps),
        finalWorkdir: finalWorkdir(steps, builder),
        runtimeWords: [],
        distroless: false,
        envAt: (n, s) => s.env.get(n),
      });
      for (const a of plan.artifacts) extractions.push({ from: a.from.replace(/\/$/, ''), to: norm(a.from.split('/').filter(Boolean).pop() ?? '') });
      if (plan.artifacts.length) notes.push('No extraction script: COPY sources were matched by name with what the builder produces.');
    }
  }

  // Runtime COPY/ADD of extracted files → COPY --from=<builder>.
  const lines = [...run.parsed.lines];
  const rewritten: { line: number; text: string }[] = [];
  const replace = new Map<number, string[]>();
  for (const stage of run.stages) {
    for (const inst of stage.instructions) {
      if (inst.keyword !== 'COPY' && inst.keyword !== 'ADD') continue;
      if (inst.flags.some((f) => f.name === 'from') || inst.heredocs.length || inst.range.start.line !== inst.range.end.line) continue;
      const words = inst.args.map((a) => a.text);
      if (words.length < 2 || words[0]?.startsWith('[')) continue;
      const dest = words[words.length - 1] ?? '';
      const sources = words.slice(0, -1);
      const mapped = sources.map((src) => {
        const s = norm(src);
        for (const e of extractions) {
          if (e.to === s) return e.from;
          if (s.startsWith(e.to + '/')) return joinPath(e.from, s.slice(e.to.length + 1));
        }
        return undefined;
      });
      if (mapped.every((m) => m === undefined)) continue;
      if (mapped.some((m) => m === undefined)) {
        todos.push(`Line ${inst.range.start.line + 1} copies both extracted and other files: split it.`);
        continue;
      }
      if (inst.keyword === 'ADD' && sources.some((s) => /\.(tar|tgz|tar\.\w+)$/.test(s))) {
        todos.push(`Line ${inst.range.start.line + 1} ADDs an extracted archive: ADD unpacks it, COPY --from does not. Unpack it in the builder.`);
        continue;
      }
      const flags = inst.flags.map((f) => (lines[f.range.start.line] ?? '').slice(f.range.start.character, f.range.end.character));
      const indent = /^\s*/.exec(lines[inst.range.start.line] ?? '')?.[0] ?? '';
      const text = `${indent}COPY --from=${builderName}${flags.length ? ' ' + flags.join(' ') : ''} ${(mapped as string[]).join(' ')} ${dest}`;
      const original = lines[inst.range.start.line] ?? '';
      replace.set(inst.range.start.line, [
        `${indent}# Merged: ${script && parsed.extractions.length ? 'extracted from the builder by the build script' : 'what the builder stage produces'}. Was:`,
        `# ${original.trimStart()}`,
        text,
      ]);
      rewritten.push({ line: inst.range.start.line + 1, text });
    }
    // A runtime built FROM the build image itself becomes FROM the builder stage.
    const img = stage.from.image;
    if (img && parsed.images.includes(img.text)) {
      const l = img.range.start.line;
      const original = lines[l] ?? '';
      const text = original.slice(0, img.range.start.character) + builderName + original.slice(img.range.end.character);
      replace.set(l, ['# Merged: was built FROM the image of the build Dockerfile. Was:', `# ${original}`, text]);
      rewritten.push({ line: l + 1, text });
    }
  }
  if (rewritten.length === 0)
    todos.push('No COPY in the runtime Dockerfile matches a file the build extracts: add `COPY --from=' + builderName + ' <path in builder> <dest>` yourself.');
  for (const e of extractions) {
    if (!rewritten.some((r) => r.text.includes(` ${e.from}`))) notes.push(`${e.to} (extracted from ${e.from}) is not copied by the runtime Dockerfile.`);
  }

  // Assemble: build prelude, the runtime's global ARGs (they must precede every FROM), build stages, runtime stages.
  const eol = buildText.includes('\r\n') ? '\r\n' : '\n';
  const bLines = [...build.parsed.lines];
  while (bLines.length && bLines[bLines.length - 1] === '') bLines.pop();
  const bFirst = defined(build.stages[0], 'first stage of the build Dockerfile').from.range.start.line;
  const rFirst = defined(run.stages[0], 'first stage of the runtime Dockerfile').from.range.start.line;
  const out: string[] = [...bLines.slice(0, bFirst)];
  const runPrelude = lines.slice(0, rFirst);
  const preludeWithArgs = runPrelude.some((l) => /^\s*ARG\s/i.test(l));
  if (preludeWithArgs) out.push(...runPrelude);
  const fromEnd = builder.from.range.end.line;
  const buildStages = bLines.slice(bFirst);
  if (!builder.name) {
    const i = fromEnd - bFirst;
    const as = builder.from.keywordText === builder.from.keywordText.toLowerCase() ? 'as' : 'AS';
    buildStages[i] = `${defined(buildStages[i], 'FROM line of the builder stage').trimEnd()} ${as} ${builderName}`;
  }
  out.push(...buildStages, '');
  if (!preludeWithArgs) out.push(...runPrelude);
  for (let l = rFirst; l < lines.length; l++) out.push(...(replace.get(l) ?? [lines[l] ?? '']));
  while (out.length && out[out.length - 1] === '') out.pop();
  const text = out.join(eol) + eol;
  const lost = [...lostLines(buildText, text), ...lostLines(runtimeText, text)];
  return { text, builderName, extractions, rewritten, todos, notes, lost };
}
