/**
 * After a build: the size each instruction added (and BuildKit's step time) at the end
 * of its line, a stage hover that lists the image's biggest layers, and divider lines
 * between stages. Figures follow edits (the mapping is redone on the current outline,
 * so moved lines keep theirs, marked stale); when the mapping is not certain nothing
 * is shown. Settings: dockerStages.layerSizes.enable, dockerStages.stageDividers.
 */
import * as vscode from 'vscode';
import { SETTINGS_SECTION, type BuildTargetsResult } from '../../../server/src/protocol';
import type { BuildResult } from './builds';
import { formatSize } from './format';
import { figureText, mapLayers, type HistoryEntry, type LayerMap } from './layers';

interface Recorded {
  readonly history: readonly HistoryEntry[];
  readonly output: string;
  readonly target: string | undefined;
  readonly tag: string | undefined;
  /** Document version when it was built (it is saved first), undefined if not open. */
  readonly version: number | undefined;
}

export class LayerView implements vscode.Disposable {
  private readonly recorded = new Map<string, Recorded>();
  private readonly current = new Map<string, { map: LayerMap; outline: BuildTargetsResult; stale: boolean; texts: Map<number, string> }>();
  private readonly figures = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground') },
  });
  private readonly divider = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    borderWidth: '1px 0 0 0',
    borderStyle: 'solid',
    borderColor: new vscode.ThemeColor('editorRuler.foreground'),
  });
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly outlineOf: (uri: string) => Promise<BuildTargetsResult>) {
    this.disposables.push(
      this.figures,
      this.divider,
      vscode.window.onDidChangeVisibleTextEditors(() => {
        this.refreshAll();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.languageId === 'dockerfile' && e.contentChanges.length) this.schedule(e.document.uri.toString(), 300);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SETTINGS_SECTION}.layerSizes`) || e.affectsConfiguration(`${SETTINGS_SECTION}.stageDividers`)) this.refreshAll();
      }),
      vscode.languages.registerHoverProvider({ language: 'dockerfile' }, { provideHover: (doc, pos) => this.hover(doc, pos) }),
    );
    this.refreshAll();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }

  /** A build ended: keep its history for the Dockerfile and draw the figures. */
  buildFinished(r: BuildResult): void {
    if (r.exitCode !== 0 || !r.history || !r.uri) return;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.uri);
    this.recorded.set(r.uri, { history: r.history, output: r.output ?? '', target: r.target, tag: r.tag, version: doc?.version });
    this.schedule(r.uri, 0);
  }

  /** For tests: the figure text per 0-based line of a Dockerfile (empty when none is shown). */
  figuresOf(uri: string): Map<number, string> {
    return new Map(this.current.get(uri)?.texts ?? []);
  }

  private refreshAll(): void {
    for (const ed of vscode.window.visibleTextEditors) if (ed.document.languageId === 'dockerfile') this.schedule(ed.document.uri.toString(), 0);
  }

  private schedule(uri: string, ms: number): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.refresh(uri).catch(() => undefined);
      }, ms),
    );
  }

  private async refresh(uri: string): Promise<void> {
    const editors = vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === uri);
    const doc = editors[0]?.document ?? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    if (!doc) return;
    const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION, doc.uri);
    const rec = this.recorded.get(uri);
    const wantDividers = cfg.get<boolean>('stageDividers', true);
    const wantSizes = cfg.get<boolean>('layerSizes.enable', true) && rec !== undefined;
    let outline: BuildTargetsResult | undefined;
    if (wantDividers || wantSizes) outline = await this.outlineOf(uri).catch(() => undefined);
    const dividers =
      wantDividers && outline
        ? outline.stages.slice(1).map((s) => new vscode.Range(s.instructions[0]?.range.start.line ?? 0, 0, s.instructions[0]?.range.start.line ?? 0, 0))
        : [];
    const decorations: vscode.DecorationOptions[] = [];
    this.current.delete(uri);
    if (wantSizes && outline) {
      const stage = rec.target !== undefined ? outline.stages.find((s) => s.name === rec.target) : outline.stages[outline.stages.length - 1];
      const map = stage ? mapLayers(outline, stage.index, rec.history, rec.output) : undefined;
      if (map) {
        const stale = rec.version !== undefined && doc.version !== rec.version;
        const texts = new Map<number, string>();
        for (const f of map.figures) {
          const text = figureText(f, formatSize) + (stale ? ' (before your edits)' : '');
          texts.set(f.line, text);
          const end = doc.lineAt(Math.min(f.line, doc.lineCount - 1)).range.end;
          decorations.push({
            range: new vscode.Range(end, end),
            renderOptions: { after: { contentText: text, fontStyle: stale ? 'italic' : 'normal' } },
          });
        }
        this.current.set(uri, { map, outline, stale, texts });
      }
    }
    for (const ed of editors) {
      ed.setDecorations(this.divider, dividers);
      ed.setDecorations(this.figures, decorations);
    }
  }

  private hover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const cur = this.current.get(doc.uri.toString());
    if (!cur) return undefined;
    const stage = cur.outline.stages.find((s) => s.instructions[0]?.range.start.line === pos.line);
    if (!stage || !cur.map.chain.includes(stage.index)) return undefined;
    const rec = this.recorded.get(doc.uri.toString());
    const top = [...cur.map.figures]
      .filter((f) => f.size > 0)
      .sort((a, b) => b.size - a.size)
      .slice(0, 5);
    const total = cur.map.baseSize + cur.map.figures.reduce((n, f) => n + f.size, 0);
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Biggest layers of ${rec?.tag ? `\`${rec.tag}\`` : 'the image'}** (${formatSize(total)}${cur.stale ? ', before your edits' : ''})\n\n`);
    const rows = [
      ...top.map((f) => ({ size: f.size, what: `line ${f.line + 1}: \`${f.text.length > 60 ? f.text.slice(0, 59) + '…' : f.text}\`` })),
      { size: cur.map.baseSize, what: 'the base image' },
    ].sort((a, b) => b.size - a.size);
    for (const r of rows) md.appendMarkdown(`- ${formatSize(r.size)} · ${r.what.replace(/\|/g, '\\|')}\n`);
    return new vscode.Hover(md);
  }
}
