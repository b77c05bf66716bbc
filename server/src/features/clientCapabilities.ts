/**
 * What the client accepts, and the answers made to fit it: snippets only with
 * `completionItem.snippetSupport` (else `${1:x}` becomes `x`), markdown only where
 * the client lists it (hover `contentFormat`, completion `documentationFormat`),
 * else plain text. Applied to our answers and to dockerfile-language-service's.
 */
import { InsertTextFormat, MarkupKind } from 'vscode-languageserver-types';
import type { ClientCapabilities, CompletionItem, Hover, MarkupContent } from 'vscode-languageserver';

export interface ClientFeatures {
  readonly snippets: boolean;
  readonly markdownHover: boolean;
  readonly markdownCompletionDocs: boolean;
  readonly codeLensResolve: boolean;
  readonly inlayHintResolve: boolean;
  readonly workDoneProgress: boolean;
  /** Code actions may be sent disabled, with the reason (shown faded in a refactoring menu). */
  readonly codeActionDisabled: boolean;
}

export function clientFeatures(caps: ClientCapabilities | undefined): ClientFeatures {
  const td = caps?.textDocument;
  const item = td?.completion?.completionItem;
  return {
    snippets: item?.snippetSupport === true,
    codeActionDisabled: td?.codeAction?.disabledSupport === true,
    // A client that does not list formats gets markdown (what servers send by default); one that lists them gets what it lists.
    markdownHover: td?.hover?.contentFormat === undefined || td.hover.contentFormat.includes(MarkupKind.Markdown),
    markdownCompletionDocs: item?.documentationFormat === undefined || item.documentationFormat.includes(MarkupKind.Markdown),
    codeLensResolve: td?.codeLens !== undefined,
    inlayHintResolve: (td?.inlayHint?.resolveSupport?.properties ?? []).length > 0,
    workDoneProgress: caps?.window?.workDoneProgress === true,
  };
}

/** A snippet as the text it inserts: `${1:x}` → x, `${1|a,b|}` → a, `$1`/`${1}`/`$0` → nothing, `$VAR` → VAR, `\$` → `$`. */
export function snippetToText(s: string): string {
  let out = '';
  let i = 0;
  const parse = (end: string | undefined): string => {
    let acc = '';
    while (i < s.length) {
      const c = s[i] ?? '';
      if (c === '\\' && i + 1 < s.length && /[$}\\,|]/.test(s[i + 1] ?? '')) {
        acc += s[i + 1] ?? '';
        i += 2;
      } else if (end !== undefined && c === end) {
        return acc;
      } else if (c === '$') {
        const m = /^\$(\d+|[A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i));
        if (m) {
          i += m[0].length;
          // An unknown variable inserts its name (LSP snippet syntax); tabstops insert nothing.
          if (!/^\d/.test(m[1] ?? '')) acc += m[1] ?? '';
          continue;
        }
        const open = /^\$\{(\d+|[A-Za-z_][A-Za-z0-9_]*)(:|\||\})/.exec(s.slice(i));
        if (!open) {
          acc += c;
          i++;
          continue;
        }
        i += open[0].length;
        if (open[2] === '}') {
          if (!/^\d/.test(open[1] ?? '')) acc += open[1] ?? '';
          continue;
        }
        if (open[2] === ':') {
          acc += parse('}');
          i++;
        } else {
          const choices = parse('|');
          i++;
          if (s[i] === '}') i++;
          acc += choices.split(',')[0] ?? '';
        }
      } else {
        acc += c;
        i++;
      }
    }
    return acc;
  };
  out = parse(undefined);
  return out;
}

/** Markdown as readable plain text: code spans and emphasis markers dropped. */
export function markdownToPlain(md: string): string {
  return md
    .replace(/```[^\n]*\n([\s\S]*?)```/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|\W)_([^_\n]+)_(?=\W|$)/g, '$1$2')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
    .replace(/^#+\s*/gm, '');
}

function plain(m: MarkupContent): MarkupContent {
  return m.kind === MarkupKind.Markdown ? { kind: MarkupKind.PlainText, value: markdownToPlain(m.value) } : m;
}

export function fitCompletion(item: CompletionItem, f: ClientFeatures): CompletionItem {
  let out = item;
  if (!f.snippets && item.insertTextFormat === InsertTextFormat.Snippet) {
    out = { ...out, insertTextFormat: InsertTextFormat.PlainText };
    if (out.insertText !== undefined) out.insertText = snippetToText(out.insertText);
    if (out.textEdit) out.textEdit = { ...out.textEdit, newText: snippetToText(out.textEdit.newText) };
  }
  const doc = out.documentation;
  if (!f.markdownCompletionDocs && doc !== undefined && typeof doc !== 'string') out = { ...out, documentation: plain(doc) };
  return out;
}

export function fitHover(h: Hover | null | undefined, f: ClientFeatures): Hover | null {
  if (!h) return null;
  if (f.markdownHover) return h;
  const c = h.contents;
  if (typeof c === 'object' && !Array.isArray(c) && 'kind' in c) return { ...h, contents: plain(c) };
  return h;
}
