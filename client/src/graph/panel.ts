/**
 * "Dockerfile Stages: Show Stage Graph": a webview beside the editor that draws the
 * stage graph of the active Dockerfile. The data comes from the language server
 * (`dockerStages/graph`, the one model); the panel follows the document as it is
 * edited, highlights the stage under the cursor and its --target chain, reveals a
 * stage's FROM line on click, and after a build shows each built stage's image size
 * and build time.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { StageGraphRequest, type StageGraphParams, type StageGraphResult } from '../../../server/src/protocol';
import type { FromWebview, ToWebview } from './messages';

/** What to show on a stage node after a build: size and build time, per stage index. */
export type StageFigures = (uri: string, graph: StageGraphResult['graph']) => Map<number, string>;

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

const STYLE = `
body { margin: 0; padding: 8px; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); }
#status { font-size: 12px; color: var(--vscode-descriptionForeground); min-height: 1.4em; margin-bottom: 6px; }
#legend { font-size: 11px; color: var(--vscode-descriptionForeground); margin-bottom: 6px; }
#legend span { margin-right: 12px; }
#legend .from::before { content: '—— '; } #legend .copy::before { content: '- - '; color: var(--vscode-charts-blue); } #legend .mount::before { content: '···· '; color: var(--vscode-charts-purple); }
.message { color: var(--vscode-descriptionForeground); }
body.stale svg { opacity: 0.8; }
svg.stage-graph { font-family: var(--vscode-editor-font-family, monospace); font-size: 12px; }
.node rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-contrastBorder, #888)); stroke-width: 1; }
.node.stage { cursor: pointer; }
.node.stage:focus { outline: none; } .node.stage:focus rect { stroke: var(--vscode-focusBorder); stroke-width: 2; }
.node.image rect { fill: var(--vscode-editor-background); stroke: var(--vscode-charts-yellow); stroke-dasharray: 3 2; }
.node text { fill: var(--vscode-foreground); }
.node text.sub { fill: var(--vscode-descriptionForeground); }
.node text.extra { fill: var(--vscode-charts-green); }
.node.default-target rect { stroke-width: 3; stroke: var(--vscode-charts-blue); }
.node.unreachable { opacity: 0.4; }
.node.chain rect { stroke: var(--vscode-charts-orange); stroke-width: 2; }
.node.chain.default-target rect { stroke-width: 3; }
.node.current rect { fill: var(--vscode-list-activeSelectionBackground, var(--vscode-editor-selectionBackground)); }
.node.current text { fill: var(--vscode-list-activeSelectionForeground, var(--vscode-foreground)); }
.edge path { fill: none; stroke: var(--vscode-descriptionForeground); stroke-width: 1.4; }
.edge.copy path { stroke: var(--vscode-charts-blue); stroke-dasharray: 6 4; }
.edge.mount path { stroke: var(--vscode-charts-purple); stroke-dasharray: 2 3; }
.arrow { fill: var(--vscode-descriptionForeground); } .arrow.copy { fill: var(--vscode-charts-blue); } .arrow.mount { fill: var(--vscode-charts-purple); }
.edge.chain path { stroke-width: 2.6; }
`;

export class StageGraphPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private document: vscode.TextDocument | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;
  private last: StageGraphResult | undefined;
  /** The document version the figures were made from (edits make them stale). */
  private figuresVersion = new Map<string, number>();
  /** For tests: the last 'rendered' report of the webview. */
  lastRender: Extract<FromWebview, { type: 'rendered' }> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: () => LanguageClient | undefined,
    private readonly figures: StageFigures,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && e.document.languageId === 'dockerfile' && this.panel) {
          this.document = e.document;
          this.schedule(0);
        }
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && e.document === this.document && e.contentChanges.length) this.schedule(250);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (this.panel && e.textEditor.document === this.document) this.postCursor(e.textEditor);
      }),
    );
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  /** Opens (or reveals) the panel for the active Dockerfile. */
  show(): void {
    const editor = vscode.window.activeTextEditor;
    const doc = editor?.document.languageId === 'dockerfile' ? editor.document : this.document;
    if (!doc) {
      void vscode.window.showInformationMessage('Dockerfile Stages: open a Dockerfile to show its stage graph.');
      return;
    }
    this.document = doc;
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      this.schedule(0);
      return;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(
      'dockerStages.stageGraph',
      'Stage Graph',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [dist],
        retainContextWhenHidden: true,
      },
    );
    this.panel = panel;
    this.ready = false;
    const n = nonce();
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'graph.js'));
    const csp = `default-src 'none'; script-src 'nonce-${n}'; style-src 'nonce-${n}'; img-src ${panel.webview.cspSource}; font-src ${panel.webview.cspSource};`;
    panel.webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${n}">${STYLE}</style><title>Stage Graph</title></head>
<body><div id="legend"><span class="from">FROM</span><span class="copy">COPY --from</span><span class="mount">RUN --mount from=</span><span>thick border: default target · highlighted: the --target chain of the stage under the cursor · faded: unreachable</span></div>
<div id="status" aria-live="polite"></div><div id="graph"></div>
<script nonce="${n}" src="${script.toString()}"></script></body></html>`;
    panel.webview.onDidReceiveMessage(
      (m: FromWebview) => {
        this.onMessage(m);
      },
      undefined,
      this.disposables,
    );
    panel.onDidDispose(
      () => {
        this.panel = undefined;
        this.ready = false;
      },
      undefined,
      this.disposables,
    );
  }

  /** A build finished: redraw with the new figures. */
  buildFinished(uri: string): void {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    if (doc) this.figuresVersion.set(uri, doc.version);
    if (this.panel && this.document?.uri.toString() === uri) this.schedule(0);
  }

  private onMessage(m: FromWebview): void {
    if (m.type === 'ready') {
      this.ready = true;
      this.schedule(0);
    } else if (m.type === 'rendered') this.lastRender = m;
    else void this.reveal(m.stage);
  }

  private async reveal(stage: number): Promise<void> {
    const s = this.last?.graph.stages[stage];
    const doc = this.document;
    if (!s || !doc) return;
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn ?? vscode.ViewColumn.One,
      preserveFocus: false,
    });
    const line = Math.min(s.line - 1, doc.lineCount - 1);
    const start = doc.lineAt(line).firstNonWhitespaceCharacterIndex;
    editor.selection = new vscode.Selection(line, start, line, start);
    editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private post(m: ToWebview): void {
    if (this.panel && this.ready) void this.panel.webview.postMessage(m);
  }

  private postCursor(editor: vscode.TextEditor): void {
    const g = this.last?.graph;
    if (!g) return;
    const line = editor.selection.active.line + 1;
    let stage: number | null = null;
    for (const s of g.stages) if (s.line <= line) stage = s.index;
    this.post({ type: 'cursor', stage });
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), ms);
  }

  private async refresh(): Promise<void> {
    const doc = this.document;
    const c = this.client();
    if (!doc || !this.panel || !this.ready) return;
    if (!c) {
      this.post({ type: 'error', message: 'The language server is not running.' });
      return;
    }
    const params: StageGraphParams = { uri: doc.uri.toString() };
    let r: StageGraphResult;
    try {
      r = await c.sendRequest<StageGraphResult>(StageGraphRequest.method, params);
    } catch (e) {
      this.post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      return;
    }
    this.last = r;
    const uri = doc.uri.toString();
    const built = this.figuresVersion.get(uri);
    const extras = [...this.figures(uri, r.graph)];
    const file = doc.uri.path.split('/').pop() ?? 'Dockerfile';
    this.panel.title = `Stages: ${file}`;
    this.post({ type: 'graph', file, graph: r.graph, extras, stale: built !== undefined && built !== doc.version && extras.length > 0 });
    const ed = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    if (ed) this.postCursor(ed);
  }
}
