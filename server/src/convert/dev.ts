/**
 * "Add a dev stage": for Compose `build: { target: dev }` workflows, a `dev`
 * stage built on the builder (toolchain and sources) that runs the program
 * from source. It goes right after the builder, so the last stage (production)
 * stays the default target. Pure: text edits on the StageModel.
 */
import type { Stage, StageModel } from '../model/model';
import { nameStageEdits, type TextEdit } from '../model/checks';
import { defined } from '../model/text';
import { parseImage } from './images';
import { analyzeLanguage, isToolchainImage, languageOfCommand, languageOfImage, type Language } from './registry';
import { execForm, jsonArray, toExecForm } from './shell';
import { contextCopies, finalWorkdir, stepText, walkStage, type ConvertContext, type Step } from './steps';

export interface DevStageEdit {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** The builder stage the dev stage is built on. */
  readonly builder: Stage;
}

const DEV = 'dev';

function languageOf(model: StageModel, s: Stage): Language | undefined {
  const ref = parseImage(s.base.value || s.base.raw);
  const byImage = languageOfImage(ref);
  if (byImage && isToolchainImage(ref, byImage)) return byImage;
  for (const step of walkStage(model, s))
    for (const c of step.commands) {
      const l = languageOfCommand(c);
      if (l) return l;
    }
  return undefined;
}

/** The stage that builds what the production (last) stage copies: the one to develop in. */
export function findBuilder(model: StageModel): { stage: Stage; language: Language } | undefined {
  const last = model.defaultTarget;
  if (!last || model.stages.length < 2) return undefined;
  const candidates = [...new Set([...last.dependsOn].reverse())].map((i) => defined(model.stages[i], 'stage the last stage depends on'));
  const scored = candidates
    .map((s) => ({ stage: s, language: languageOf(model, s) }))
    .filter((x): x is { stage: Stage; language: Language } => x.language !== undefined);
  return scored.find((x) => /^(build|builder|build-env|compile)$/.test(x.stage.name ?? '')) ?? scored[0];
}

/** The command for a dev stage: the language's run-from-source command, else production's CMD. */
function devCommand(model: StageModel, builder: Stage, language: Language, production: Stage, context: ConvertContext | undefined): string | undefined {
  const steps = walkStage(model, builder);
  const prodSteps = walkStage(model, production);
  const cmd = [...prodSteps].reverse().find((s) => s.keyword === 'CMD');
  const entry = [...prodSteps].reverse().find((s) => s.keyword === 'ENTRYPOINT');
  const words = (s: Step | undefined) => (s ? (execForm(s.body) ?? toExecForm(s.body)) : undefined);
  const runtimeWords = [[...(words(entry) ?? []), ...(words(cmd) ?? [])]].filter((w) => w.length);
  const plan = analyzeLanguage({
    steps,
    base: parseImage(builder.base.value || builder.base.raw),
    language,
    context,
    copies: contextCopies(steps),
    finalWorkdir: finalWorkdir(steps, builder),
    runtimeWords,
    distroless: false,
    envAt: (n, s) => s.env.get(n),
  });
  if (plan.devCommand) return `CMD ${jsonArray(plan.devCommand)}`;
  // Production's own command, which the builder can run too (the program is built there).
  if (entry && cmd) {
    const w = runtimeWords[0];
    return w && w.length ? `CMD ${jsonArray(w)}` : undefined;
  }
  if (cmd) return stepText(model, cmd).trim();
  if (entry) {
    const w = words(entry);
    return w ? `CMD ${jsonArray(w)}` : undefined;
  }
  return undefined;
}

/** Edits that add a `dev` stage after the builder; undefined when there is no builder or a `dev` stage exists. */
export function addDevStage(model: StageModel, context?: ConvertContext): DevStageEdit | undefined {
  if (model.stages.some((s) => s.name === DEV) || model.conflictMarkers.length) return undefined;
  const found = findBuilder(model);
  const production = model.defaultTarget;
  if (!found || !production) return undefined;
  const builder = found.stage;
  const edits: TextEdit[] = [];
  let name = builder.name;
  if (!name) {
    name = model.stages.some((s) => s.name === 'builder') ? `builder-${builder.index}` : 'builder';
    const naming = nameStageEdits(builder, name);
    if (!naming.length) return undefined;
    edits.push(...naming);
  }
  const command = devCommand(model, builder, found.language, production, context);
  const prodSteps = walkStage(model, production);
  const config = prodSteps.filter((s) => s.keyword === 'ENV' || s.keyword === 'EXPOSE').flatMap((s) => stepText(model, s).split('\n'));
  const eol = model.text.includes('\r\n') ? '\r\n' : '\n';
  const lines = [
    '',
    '',
    '# Development: the toolchain and the sources, run from source. Compose: `build: { target: dev }`.',
    '# A plain `docker build` still produces the last stage.',
    `FROM ${name} AS ${DEV}`,
    ...config,
    command ?? '# TODO: the command that runs the program from source\nCMD ["sh"]',
  ];
  const end = builder.range.end.line;
  const at = { line: end, character: (model.parsed.lines[end] ?? '').length };
  edits.push({ range: { start: at, end: at }, newText: lines.join('\n').split('\n').join(eol) });
  return { title: `Add a '${DEV}' stage (toolchain and sources, for Compose target: ${DEV})`, edits, builder };
}
