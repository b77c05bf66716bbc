/**
 * The general Dockerfile language features, from dockerfile-language-service.
 * Every call is guarded: that library throws on some inputs (a BOM plus a
 * variable overflows its stack), and a throw must never take the server down.
 * Its semantic tokens are quadratic in file size and are not used.
 */
import {
  DockerfileLanguageServiceFactory,
  type DockerfileLanguageService,
} from 'dockerfile-language-service';
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
import { CodeActionKind } from 'vscode-languageserver';

/** dockerfile-utils codes our stage checks replace (duplicate name, invalid name, AS keyword). */
const REPLACED_CODES = new Set([10, 12, 22]);

export type Logger = (message: string) => void;

export class GeneralFeatures {
  private readonly service: DockerfileLanguageService;

  constructor(private readonly log: Logger) {
    this.service = DockerfileLanguageServiceFactory.createLanguageService();
    this.service.setCapabilities({
      completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'], deprecatedSupport: true } },
      hover: { contentFormat: ['markdown', 'plaintext'] },
    });
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
    return this.guard('hover', null, () => this.service.computeHover(text, p));
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
    return this.guard('definition', null, () => this.service.computeDefinition({ uri }, text, p));
  }

  highlights(text: string, p: Position): DocumentHighlight[] {
    return this.guard('highlight', [], () => this.service.computeHighlightRanges(text, p));
  }

  prepareRename(text: string, p: Position): Range | null {
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
