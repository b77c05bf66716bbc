/**
 * The general Dockerfile language features, from dockerfile-language-service.
 * Every call is guarded: that library throws on some inputs (a BOM plus a
 * variable overflows its stack), and a throw must never take the server down.
 * Its semantic tokens are quadratic in file size and are not used.
 */
import type { DockerfileLanguageService } from 'dockerfile-language-service';
import type {
  CodeAction,
  CompletionItem,
  Diagnostic,
  DocumentHighlight,
  DocumentLink,
  FormattingOptions,
  Hover,
  Location,
  Position,
  Range,
  SignatureHelp,
  TextEdit,
} from 'vscode-languageserver';
import { CodeActionKind, MarkupKind } from 'vscode-languageserver-types';
import type { StageModel } from '../model/model';
import { isContinuationLine } from '../model/text';

/** dockerfile-utils codes our stage checks replace (duplicate name, invalid name, AS keyword). */
const REPLACED_CODES = new Set([10, 12, 22]);

export type Logger = (message: string) => void;

/** The identifier at `character` of `line`, and whether it is used as a variable (`$X`, `${X`). */
function wordAt(line: string, character: number): { word: string; variable: boolean } {
  let a = character;
  let b = character;
  while (a > 0 && /[A-Za-z0-9_]/.test(line[a - 1] ?? '')) a--;
  while (b < line.length && /[A-Za-z0-9_]/.test(line[b] ?? '')) b++;
  const before = line.slice(Math.max(0, a - 2), a);
  return { word: line.slice(a, b), variable: before.endsWith('$') || before === '${' };
}

/**
 * dockerfile-language-service parses the whole text on every request (O(file), and
 * O(stages²) for definitions). Its answers about variables, ARG/ENV names and heredoc
 * names need that context; answers about keywords, flags and directives need only
 * the instruction. These gates send it only the requests it can answer, with the least text.
 */
export class GeneralFeatures {
  private cached: DockerfileLanguageService | undefined;
  /** What the client accepts (see clientCapabilities.ts); the service is told before its first answer. */
  private client = { snippets: true, markdownHover: true, markdownCompletionDocs: true };

  setClientFeatures(f: { readonly snippets: boolean; readonly markdownHover: boolean; readonly markdownCompletionDocs: boolean }): void {
    this.client = { snippets: f.snippets, markdownHover: f.markdownHover, markdownCompletionDocs: f.markdownCompletionDocs };
    this.cached?.setCapabilities(this.capabilities());
  }

  private capabilities(): Parameters<DockerfileLanguageService['setCapabilities']>[0] {
    const md = (yes: boolean): MarkupKind[] => (yes ? [MarkupKind.Markdown, MarkupKind.PlainText] : [MarkupKind.PlainText]);
    return {
      completion: {
        completionItem: { snippetSupport: this.client.snippets, documentationFormat: md(this.client.markdownCompletionDocs), deprecatedSupport: true },
      },
      hover: { contentFormat: md(this.client.markdownHover) },
    };
  }

  constructor(private readonly log: Logger) {}

  /** Loaded on first use: it costs ~100 ms of start-up that the first request can pay instead. */
  private get service(): DockerfileLanguageService {
    if (!this.cached) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const dls = require('dockerfile-language-service') as typeof import('dockerfile-language-service');
      this.cached = dls.DockerfileLanguageServiceFactory.createLanguageService();
      this.cached.setCapabilities(this.capabilities());
    }
    return this.cached;
  }

  /** Does the position need the whole document (variables, ARG/ENV names, heredoc names)? */
  private needsContext(lines: readonly string[], p: Position): boolean {
    const line = lines[p.line] ?? '';
    if (wordAt(line, p.character).variable) return true;
    const m = /^(\s*)(\w+)/.exec(line);
    // On the keyword itself (`ARG`, `env`) the instruction's lines are enough: parsing the
    // whole file there cost ~70 MB of peak memory and ~250 ms at 25,000 lines.
    const indent = m?.[1]?.length ?? 0;
    if (m && p.character >= indent && p.character <= indent + (m[2]?.length ?? 0)) return false;
    const kw = m?.[2]?.toUpperCase();
    return kw === 'ARG' || kw === 'ENV' || line.includes('<<');
  }

  private guard<T>(what: string, fallback: T, f: () => T): T {
    try {
      return f();
    } catch (e) {
      this.log(`dockerfile-language-service ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
      return fallback;
    }
  }

  validate(text: string): Diagnostic[] {
    return this.guard('validate', [], () => this.service.validate(text)).filter((d) => !(typeof d.code === 'number' && REPLACED_CODES.has(d.code)));
  }

  hover(text: string, p: Position): Hover | null {
    const lines = text.split(/\r\n|\r|\n/);
    if (this.needsContext(lines, p) || /^\s*#/.test(lines[p.line] ?? '')) return this.guard('hover', null, () => this.service.computeHover(text, p));
    // Keywords and flags: the instruction's own lines are enough.
    const escape = /^#\s*escape\s*=\s*`/im.test(lines.slice(0, 10).join('\n')) ? '`' : '\\';
    const continues = (l: string | undefined) => l !== undefined && isContinuationLine(l, escape);
    let start = p.line;
    while (start > 0 && continues(lines[start - 1])) start--;
    let end = p.line;
    while (end < lines.length - 1 && continues(lines[end])) end++;
    const prefix = escape === '`' ? '# escape=`\n' : '';
    const shift = escape === '`' ? 1 : 0;
    const snippet = prefix + lines.slice(start, end + 1).join('\n');
    return this.guard('hover', null, () => this.service.computeHover(snippet, { line: p.line - start + shift, character: p.character }));
  }

  async completion(text: string, p: Position): Promise<CompletionItem[]> {
    try {
      return await this.service.computeCompletionItems(text, p);
    } catch (e) {
      this.log(`dockerfile-language-service completion failed: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
  }

  resolveCompletion(item: CompletionItem): CompletionItem {
    return this.guard('resolveCompletion', item, () => this.service.resolveCompletionItem(item));
  }

  definition(uri: string, text: string, p: Position): Location | null {
    if (!this.needsContext(text.split(/\r\n|\r|\n/, p.line + 1), p)) return null;
    return this.guard('definition', null, () => this.service.computeDefinition({ uri }, text, p));
  }

  highlights(text: string, p: Position): DocumentHighlight[] {
    if (!this.needsContext(text.split(/\r\n|\r|\n/, p.line + 1), p)) return [];
    return this.guard('highlight', [], () => this.service.computeHighlightRanges(text, p));
  }

  prepareRename(text: string, p: Position): Range | null {
    if (!this.needsContext(text.split(/\r\n|\r|\n/, p.line + 1), p)) return null;
    return this.guard('prepareRename', null, () => this.service.prepareRename(text, p));
  }

  rename(uri: string, text: string, p: Position, newName: string): TextEdit[] {
    return this.guard('rename', [], () => this.service.computeRename({ uri }, text, p, newName));
  }

  signatureHelp(text: string, p: Position): SignatureHelp | null {
    return this.guard('signatureHelp', null, () => this.service.computeSignatureHelp(text, p));
  }

  links(text: string): DocumentLink[] {
    return this.guard('links', [], () => this.service.computeLinks(text));
  }

  resolveLink(link: DocumentLink): DocumentLink {
    return this.guard('resolveLink', link, () => this.service.resolveLink(link));
  }

  format(text: string, options: FormattingOptions): TextEdit[] {
    return this.guard('format', [], () => this.service.format(text, options));
  }

  formatRange(text: string, range: Range, options: FormattingOptions): TextEdit[] {
    return this.guard('formatRange', [], () => this.service.formatRange(text, range, options));
  }

  formatOnType(text: string, p: Position, ch: string, options: FormattingOptions): TextEdit[] {
    return this.guard('formatOnType', [], () => this.service.formatOnType(text, p, ch, options));
  }

  /** Its quick fixes, with the edits computed up front (no command round trip). */
  codeActions(uri: string, text: string, range: Range, diagnostics: Diagnostic[]): CodeAction[] {
    return this.guard('codeActions', [], () => {
      const commands = this.service.computeCodeActions({ uri }, range, { diagnostics });
      return commands.map((c): CodeAction => {
        const edits = this.service.computeCommandEdits(text, c.command, c.arguments ?? []);
        const related = diagnostics.filter((d) => d.source !== 'dockerfile-stages');
        return { title: c.title, kind: CodeActionKind.QuickFix, diagnostics: related, edit: { changes: { [uri]: edits } } };
      });
    });
  }
}

/** A shorter text to ask dockerfile-language-service about, and where the position is in it. */
export interface GeneralSnippet {
  readonly text: string;
  readonly position: Position;
  /** Add to a line of the snippet to get the document's line (for the ranges of its answers). */
  readonly lineOffset: number;
}

/**
 * What a completion at `p` can see: the lines before the first FROM (directives, global
 * ARGs), the stages its stage builds on (their ENV and ARG), and its stage. Sending that
 * instead of the whole file keeps a completion at 25,000 lines from parsing all of it
 * (~130 MB of peak memory). The stage names FROM and --from complete to are ours
 * (completion.ts).
 */
export function completionSnippet(model: StageModel, p: Position): GeneralSnippet {
  const lines = model.parsed.lines;
  let idx = -1;
  model.stages.forEach((s, i) => {
    if (s.range.start.line <= p.line) idx = i;
  });
  const first = model.stages[0];
  if (idx < 0 || !first) return { text: model.text, position: p, lineOffset: 0 };
  const chain: number[] = [];
  for (let k: number | undefined = idx; k !== undefined && chain.length < model.stages.length; k = model.stages[k]?.base.stage) chain.unshift(k);
  const keep = lines.slice(0, first.range.start.line);
  let lineOffset = 0;
  for (const k of chain) {
    const a = model.stages[k]?.range.start.line ?? lines.length;
    // The cursor's stage keeps the line after it: some answers edit up to the next line's start.
    const b = Math.min(lines.length, (model.stages[k + 1]?.range.start.line ?? lines.length) + (k === idx ? 1 : 0));
    if (k === idx) lineOffset = a - keep.length;
    for (let l = a; l < b; l++) keep.push(lines[l] ?? '');
  }
  return { text: keep.join('\n'), position: { line: p.line - lineOffset, character: p.character }, lineOffset };
}

/** A completion item of a snippet, its edits moved to the document's lines. */
export function shiftCompletion(item: CompletionItem, lineOffset: number): CompletionItem {
  if (lineOffset === 0) return item;
  const r = (x: Range): Range => ({
    start: { line: x.start.line + lineOffset, character: x.start.character },
    end: { line: x.end.line + lineOffset, character: x.end.character },
  });
  const te = item.textEdit;
  return {
    ...item,
    ...(te ? { textEdit: 'range' in te ? { ...te, range: r(te.range) } : { ...te, insert: r(te.insert), replace: r(te.replace) } } : {}),
    ...(item.additionalTextEdits ? { additionalTextEdits: item.additionalTextEdits.map((e) => ({ ...e, range: r(e.range) })) } : {}),
  };
}
