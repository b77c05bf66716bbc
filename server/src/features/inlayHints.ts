/** Inlay hints: the stage index at each FROM, and the stage each reference resolves to. */
import { InlayHint, MarkupKind } from 'vscode-languageserver-types';
import type { Range } from 'vscode-languageserver';
import { referencedStage, type Stage, type StageModel, type StageReference } from '../model/model';
import { comparePositions } from '../model/text';
import type { Settings } from '../protocol';

function inRange(r: Range, p: { line: number; character: number }): boolean {
  return comparePositions(r.start, p) <= 0 && comparePositions(p, r.end) <= 0;
}

export function stageTooltip(s: Stage): string {
  const lines = [`**Stage #${s.index}${s.name ? ` \`${s.name}\`` : ''}** · line ${s.from.range.start.line + 1}`];
  if (s.base.stage !== undefined) lines.push(`Built on stage #${s.base.stage} \`${s.base.value}\``);
  else if (s.base.raw) lines.push(`Base image \`${s.base.value || s.base.raw}\`${s.base.dynamic ? ` (from \`${s.base.raw}\` with default build args)` : ''}`);
  return lines.join('\n\n');
}

function referenceLabel(r: StageReference, s: Stage): string {
  if (r.numeric) return `→ ${s.name ?? (s.base.value || s.base.raw || `#${s.index}`)}`;
  return `→ #${s.index}${s.name ? ` ${s.name}` : ''}`;
}

export function computeInlayHints(model: StageModel, range: Range, settings: Settings): InlayHint[] {
  const out: InlayHint[] = [];
  if (settings.inlayHints.stageIndex) {
    for (const s of model.stages) {
      if (s.from.range.end.line < range.start.line) continue;
      if (s.from.range.start.line > range.end.line) break;
      const pos = s.from.range.end;
      if (!inRange(range, pos)) continue;
      out.push({ position: pos, label: `#${s.index}`, paddingLeft: true, tooltip: { kind: MarkupKind.Markdown, value: stageTooltip(s) } });
    }
  }
  if (settings.inlayHints.references) {
    for (const r of model.references) {
      if (!inRange(range, r.range.end)) continue;
      const t = referencedStage(r);
      if (t === undefined) continue;
      const s = model.stages[t];
      if (!s) continue;
      out.push({ position: r.range.end, label: referenceLabel(r, s), paddingLeft: true, tooltip: { kind: MarkupKind.Markdown, value: stageTooltip(s) } });
    }
  }
  return out.sort((a, b) => comparePositions(a.position, b.position));
}
