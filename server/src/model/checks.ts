/**
 * Stage problems, each with a stable code and, where one exists, a fix as
 * plain text edits. Pure data; features/diagnostics.ts maps it to LSP.
 */
import type { Range } from 'vscode-languageserver-types';
import { RESERVED_STAGE_NAMES, STAGE_NAME, referencesNaming, type Stage, type StageModel, type StageReference } from './model';
import { defined, editDistance } from './text';
import { Codes, type Code } from './codes';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TextEdit {
  readonly range: Range;
  readonly newText: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  readonly preferred: boolean;
}

export { Codes, type Code } from './codes';

export interface Related {
  readonly range: Range;
  readonly message: string;
  /** Another document's URI; the problem's own document when absent. */
  readonly uri?: string;
}

export interface Problem {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  /** Shown faded (LSP DiagnosticTag.Unnecessary). */
  readonly unnecessary: boolean;
  readonly related: readonly Related[];
  readonly fixes: readonly Fix[];
  /** Carried to the client and back with the diagnostic (LSP `Diagnostic.data`), for fixes computed later. */
  readonly data?: Readonly<Record<string, string>>;
}

function problem(code: Code, severity: Severity, message: string, range: Range, fixes: Fix[] = [], related: Related[] = [], unnecessary = false): Problem {
  return { code, severity, message, range, fixes, related, unnecessary };
}

const line = (r: Range): number => r.start.line + 1;

export function describeStage(s: Stage): string {
  return s.name ? `'${s.name}' (#${s.index})` : `#${s.index}`;
}

/** Why a new stage name cannot be used, or undefined when it can. */
export function checkNewStageName(model: StageModel, stage: Stage, newName: string): string | undefined {
  const lower = newName.toLowerCase();
  if (!STAGE_NAME.test(lower)) return `'${newName}' is not a valid stage name: it must start with a letter and contain only letters, digits, '-', '_' and '.'.`;
  if (RESERVED_STAGE_NAMES.has(lower)) return `'${newName}' is reserved by BuildKit and cannot name a stage.`;
  const clash = model.stages.find((s) => s.index !== stage.index && s.name === lower);
  if (clash) return `A stage named '${lower}' already exists (line ${line(clash.from.range)}).`;
  return undefined;
}

/**
 * Edits that rename `stage` to `newName`: the declaration and every textual
 * reference that resolves to it (case variants included). Numeric and dynamic
 * references are left as they are. FROM references are written lower-case,
 * since FROM looks stage names up exactly as BuildKit stores them.
 */
export function renameEdits(model: StageModel, stage: Stage, newName: string): TextEdit[] {
  if (!stage.nameToken) return [];
  const edits: TextEdit[] = [{ range: stage.nameToken.range, newText: newName }];
  for (const r of referencesNaming(model, stage.index)) {
    if (r.numeric || r.dynamic) continue;
    edits.push({ range: r.range, newText: r.kind === 'from' ? newName.toLowerCase() : newName });
  }
  return edits;
}

/** A name to give an unnamed stage: from its base image when that is free and valid, else `stage-<n>`. */
export function suggestStageName(model: StageModel, stage: Stage): string {
  const taken = new Set(model.stages.map((s) => s.name).filter((n): n is string => n !== undefined));
  const base = stage.base.value.split('@')[0]?.split('/').pop()?.split(':')[0]?.toLowerCase() ?? '';
  const candidates = [base && base !== 'scratch' ? `${base}-stage` : '', `stage-${stage.index}`];
  for (const c of candidates) if (c && STAGE_NAME.test(c) && !taken.has(c) && !RESERVED_STAGE_NAMES.has(c)) return c;
  let n = stage.index;
  while (taken.has(`stage-${n}`)) n++;
  return `stage-${n}`;
}

/** Edits that give an unnamed stage a name: ` AS <name>` after its base image. */
export function nameStageEdits(stage: Stage, name: string): TextEdit[] {
  const img = stage.from.image;
  if (stage.nameToken || !img || stage.from.args.length !== 1) return [];
  const as = stage.from.keywordText === stage.from.keywordText.toLowerCase() ? 'as' : 'AS';
  return [{ range: { start: img.range.end, end: img.range.end }, newText: ` ${as} ${name}` }];
}

/**
 * "Use the stage name instead of its index" for a reference to `target`,
 * naming the stage first when it has none. Undefined when not applicable.
 */
export function useStageNameFix(model: StageModel, ref: StageReference, target: Stage): Fix | undefined {
  if (target.name) {
    return { title: `Use the stage name '${target.name}' instead of ${ref.value}`, edits: [{ range: ref.range, newText: target.name }], preferred: true };
  }
  const name = suggestStageName(model, target);
  const naming = nameStageEdits(target, name);
  if (naming.length === 0) return undefined;
  return {
    title: `Name stage #${target.index} '${name}' and use the name instead of ${ref.value}`,
    edits: [...naming, { range: ref.range, newText: name }],
    preferred: true,
  };
}

function checkReference(model: StageModel, r: StageReference, out: Problem[]): void {
  const res = r.resolution;
  const where = defined(model.stages[r.inStage], 'stage that holds the reference');
  const flag = r.kind === 'copy' ? '--from' : r.kind === 'mount' ? 'mount from=' : 'FROM';
  const dyn = r.dynamic ? ` ('${r.raw}' with its default values is '${r.value}')` : '';
  switch (res.kind) {
    case 'later': {
      const t = defined(model.stages[res.stage], 'stage the reference resolved to');
      if (r.kind === 'from') {
        out.push(
          problem(
            Codes.fromLater,
            'warning',
            `FROM only sees stages defined above it: stage ${describeStage(t)} is defined later (line ${line(t.from.range)}), so BuildKit takes '${r.value}' as an image name${dyn}.`,
            r.range,
            [],
            [{ range: t.from.range, message: `stage ${describeStage(t)}` }],
          ),
        );
      } else {
        out.push(
          problem(
            Codes.laterStage,
            'error',
            `Cannot use stage ${describeStage(t)} from stage ${describeStage(where)}: it needs to be defined before the current stage (it is on line ${line(t.from.range)})${dyn}.`,
            r.range,
            [],
            [{ range: t.from.range, message: `stage ${describeStage(t)}` }],
          ),
        );
      }
      return;
    }
    case 'self':
      if (r.kind === 'from') {
        out.push(problem(Codes.fromLater, 'warning', `A stage cannot be built on itself: BuildKit takes '${r.value}' as an image name${dyn}.`, r.range));
      } else {
        out.push(
          problem(
            Codes.selfReference,
            'error',
            `Stage ${describeStage(where)} cannot use itself (${flag}${r.kind === 'mount' ? '' : '='}${r.raw}): circular dependency${dyn}.`,
            r.range,
          ),
        );
      }
      return;
    case 'out-of-range':
      out.push(
        problem(
          Codes.indexOutOfRange,
          'error',
          `Invalid stage index ${res.index}: this Dockerfile has ${model.stages.length} stage${model.stages.length === 1 ? '' : 's'} (#0 to #${model.stages.length - 1})${dyn}.`,
          r.range,
        ),
      );
      return;
    case 'empty':
      // A value that only build args fill in (and whose default is empty) is set at build time.
      if (!r.dynamic) out.push(problem(Codes.emptyReference, 'error', `${flag} has no value${dyn}.`, r.range));
      return;
    case 'stage':
      return;
    case 'image':
      break;
  }
  // Names that do not resolve are images (or named build contexts): fine, unless they look like a typo.
  if (r.kind === 'from') {
    if (r.caseVariantOf !== undefined) {
      const t = defined(model.stages[r.caseVariantOf], 'stage the reference differs from in case');
      out.push(
        problem(
          Codes.fromCase,
          'error',
          `FROM looks stage names up exactly as written, and stage names are stored lower-case: '${r.value}' is not stage '${t.name}', so BuildKit takes it as an image name, and an invalid one (image names are lower-case).`,
          r.range,
          [{ title: `Use stage '${t.name}'`, edits: [{ range: r.range, newText: t.name ?? r.value }], preferred: true }],
          [{ range: t.nameToken?.range ?? t.from.range, message: `stage ${describeStage(t)}` }],
        ),
      );
    }
    return;
  }
  if (r.kind === 'mount' && /^\d+$/.test(r.value)) {
    const n = Number(r.value);
    const t = model.stages[n];
    const fix = t && t.index < r.inStage ? useStageNameFix(model, r, t) : undefined;
    out.push(
      problem(
        Codes.mountIndex,
        'warning',
        `RUN --mount from= takes a stage name, not an index: BuildKit reads '${r.value}' as an image name.`,
        r.range,
        fix ? [fix] : [],
      ),
    );
    return;
  }
  checkTypo(model, r, out);
}

/** A name that resolves to no stage but is close to an earlier stage's name: probably a typo. */
function checkTypo(model: StageModel, r: StageReference, out: Problem[]): void {
  if (r.dynamic || /[:/@]/.test(r.value)) return;
  const lower = r.value.toLowerCase();
  const limit = Math.min(2, Math.floor(lower.length / 3));
  if (limit === 0) return;
  let best: Stage | undefined;
  let bestDistance = limit + 1;
  for (const s of model.stages) {
    if (s.index >= r.inStage || !s.name) continue;
    const d = editDistance(lower, s.name, limit);
    if (d < bestDistance) {
      best = s;
      bestDistance = d;
    }
  }
  if (best?.name) {
    out.push(
      problem(
        Codes.unknownStage,
        'warning',
        `No stage is named '${r.value}', so BuildKit takes it as an image or build context. Did you mean '${best.name}'?`,
        r.range,
        [{ title: `Change to '${best.name}'`, edits: [{ range: r.range, newText: best.name }], preferred: true }],
        [{ range: best.nameToken?.range ?? best.from.range, message: `stage ${describeStage(best)}` }],
      ),
    );
  }
}

function checkStage(model: StageModel, s: Stage, seen: Map<string, Stage>, out: Problem[]): void {
  const from = s.from;
  const args = from.args;
  if (args.length === 0) {
    out.push(problem(Codes.fromArguments, 'error', 'FROM needs a base image (or `scratch`, or an earlier stage).', from.keywordRange));
  } else if (args.length === 2 && from.asKeyword) {
    out.push(problem(Codes.fromArguments, 'error', `FROM … ${from.asKeyword.text} needs a stage name after it.`, from.asKeyword.range));
  } else if (args.length !== 1 && !(args.length === 3 && from.asKeyword)) {
    const second = args[1];
    const last = args[args.length - 1];
    const r = second && last ? { start: second.range.start, end: last.range.end } : from.range;
    out.push(problem(Codes.fromArguments, 'error', 'FROM takes either one argument (the base) or three (`<base> AS <name>`).', r));
  }
  if (from.asKeyword) {
    const kw = from.keywordText;
    const expected = kw === kw.toUpperCase() ? 'AS' : kw === kw.toLowerCase() ? 'as' : undefined;
    if (expected && from.asKeyword.text !== expected) {
      out.push(
        problem(
          Codes.asCasing,
          'warning',
          `The '${from.asKeyword.text}' keyword should match the case of the '${kw}' keyword: use '${expected}'.`,
          from.asKeyword.range,
          [{ title: `Change to '${expected}'`, edits: [{ range: from.asKeyword.range, newText: expected }], preferred: true }],
        ),
      );
    }
  }
  const tok = s.nameToken;
  if (!tok || !s.name) return;
  if (!STAGE_NAME.test(s.name)) {
    out.push(
      problem(
        Codes.invalidName,
        'error',
        `Invalid name for build stage: '${tok.text}'. A name must start with a letter and contain only letters, digits, '-', '_' and '.'.`,
        tok.range,
      ),
    );
    return;
  }
  if (RESERVED_STAGE_NAMES.has(s.name)) {
    out.push(problem(Codes.reservedName, 'warning', `'${s.name}' is reserved by BuildKit and should not name a stage.`, tok.range));
  }
  const first = seen.get(s.name);
  if (first) {
    out.push(
      problem(
        Codes.duplicateName,
        'error',
        `Duplicate stage name '${s.name}': it is already the name of stage #${first.index} (line ${line(first.from.range)}). BuildKit resolves --from and mount from= to the last one.`,
        tok.range,
        [],
        [{ range: first.nameToken?.range ?? first.from.range, message: `first declaration of '${s.name}'` }],
      ),
    );
  } else seen.set(s.name, s);
  if (tok.text !== s.name) {
    out.push(
      problem(Codes.nameCasing, 'warning', `Stage names should be lower-case: BuildKit stores '${tok.text}' as '${s.name}'.`, tok.range, [
        { title: `Rename stage to '${s.name}' (and its references)`, edits: renameEdits(model, s, s.name), preferred: true },
      ]),
    );
  }
}

/** Every stage problem of the document, in document order. */
export function checkModel(model: StageModel): Problem[] {
  const out: Problem[] = [];
  for (const m of model.conflictMarkers) out.push(problem(Codes.conflict, 'error', 'Unresolved merge conflict marker.', m));
  const seen = new Map<string, Stage>();
  let refIndex = 0;
  for (const s of model.stages) {
    checkStage(model, s, seen, out);
    if (!s.reachable) {
      out.push(
        problem(
          Codes.unreachable,
          'hint',
          `Stage #${s.index} is never built: it has no name (so no --target selects it), it is not the last stage, and no other stage uses it.`,
          { start: s.from.range.start, end: s.from.range.end },
          [],
          [],
          true,
        ),
      );
    }
    for (let ref = model.references[refIndex]; ref !== undefined && ref.inStage === s.index; ref = model.references[++refIndex]) {
      checkReference(model, ref, out);
    }
  }
  return out;
}

/** The document is larger than the size limit (in characters): stage analysis is off for it. */
export function fileTooLargeProblem(chars: number, maxChars: number): Problem {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const message = `This file (${mb(chars)} MB) is larger than dockerStages.maxFileSize (${mb(maxChars)} MB): stage analysis is off for it.`;
  return problem(Codes.fileTooLarge, 'information', message, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
}
