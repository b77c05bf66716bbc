/** Hover on a stage name or a stage reference. */
import { MarkupKind } from 'vscode-languageserver-types';
import type { Hover, Position } from 'vscode-languageserver';
import { referenceAt, referencedStage, stageNeeds, stageSymbolAt, type Stage, type StageModel } from '../model/model';

function list(model: StageModel, all: readonly number[]): string {
  const ids = all.length > 12 ? all.slice(0, 12) : all;
  const more = all.length > ids.length ? ` and ${all.length - ids.length} more` : '';
  return (
    ids
      .map((i) => {
        const name = model.stages[i]?.name;
        return `#${i}${name ? ` \`${name}\`` : ''}`;
      })
      .join(', ') + more
  );
}

export function describeStageMarkdown(model: StageModel, s: Stage): string {
  const out: string[] = [];
  out.push(`**Stage #${s.index}${s.name ? ` \`${s.name}\`` : ' (unnamed)'}** · line ${s.from.range.start.line + 1}`);
  if (s.description) out.push(`_${s.description}_`);
  if (s.base.stage !== undefined) out.push(`Built on stage ${list(model, [s.base.stage])}`);
  else out.push(`Base image \`${s.base.value || s.base.raw || '(none)'}\`${s.base.dynamic ? ` (\`${s.base.raw}\` with default build args)` : ''}`);
  if (s.platform) out.push(`Platform \`${s.platform.raw}\`${s.platform.dynamic ? ` → \`${s.platform.value}\` by default` : ''}`);
  const deps = s.dependsOn.filter((d) => d !== s.base.stage);
  if (deps.length) out.push(`Copies from ${list(model, deps)}`);
  out.push(s.dependents.length ? `Used by ${list(model, s.dependents)}` : 'Used by no other stage');
  const last = model.defaultTarget;
  if (last && last.index === s.index) out.push('The default target: a build without `--target` produces this stage.');
  else
    out.push(s.builtByDefault ? 'Built by the default target (a build without `--target`).' : 'Not built by the default target (a build without `--target`).');
  if (s.name) out.push(`\`--target ${s.name}\` builds ${list(model, stageNeeds(model, s.index))}`);
  else if (!s.reachable) out.push('No target builds this stage: it has no name and nothing uses it.');
  return out.join('\n\n');
}

export function computeHover(model: StageModel, p: Position): Hover | undefined {
  const hit = stageSymbolAt(model, p, true);
  if (hit) {
    const r = hit.reference;
    let head = '';
    if (r?.numeric) head = `\`--from=${r.raw}\` refers to stage #${hit.stage.index} by its index.\n\n`;
    else if (r?.dynamic) head = `\`${r.raw}\` is \`${r.value}\` with default build args.\n\n`;
    if (r && r.resolution.kind === 'later') head += `⚠ This stage is defined later: BuildKit cannot use it here.\n\n`;
    if (r && r.resolution.kind === 'self') head += `⚠ A stage cannot use itself.\n\n`;
    return { contents: { kind: MarkupKind.Markdown, value: head + describeStageMarkdown(model, hit.stage) }, range: r?.range ?? hit.stage.nameToken?.range };
  }
  const ref = referenceAt(model, p);
  const t = ref?.kind === 'from' && ref.caseVariantOf !== undefined ? model.stages[ref.caseVariantOf] : undefined;
  if (ref && t) {
    return {
      contents: {
        kind: MarkupKind.Markdown,
        value: `\`${ref.value}\` is not stage \`${t.name}\`: FROM looks stage names up exactly as written, and BuildKit stores them lower-case. Write \`FROM ${t.name}\` to build on stage #${t.index}.`,
      },
      range: ref.range,
    };
  }
  if (ref && referencedStage(ref) === undefined && ref.kind !== 'from') {
    const what =
      ref.resolution.kind === 'out-of-range'
        ? `Stage index ${ref.value} does not exist: this Dockerfile has ${model.stages.length} stages.`
        : ref.kind === 'mount' && /^\d+$/.test(ref.value)
          ? `\`from=${ref.value}\`: a mount's \`from\` takes a stage name, not an index, so BuildKit reads \`${ref.value}\` as an image.`
          : `\`${ref.value}\` is not a stage of this Dockerfile: BuildKit takes it as an image (or a named build context).`;
    return { contents: { kind: MarkupKind.Markdown, value: what }, range: ref.range };
  }
  return undefined;
}
