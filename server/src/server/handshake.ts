/**
 * The `initialize` answer: what the server offers, from the client's capabilities and
 * initialization options alone. It lives in the start-up bundle (dist/server-main.js, see
 * main.ts): the answer goes out before the rest of the server is loaded, so this module
 * imports nothing of the model, the features or the server's other parts.
 * capabilities.ts reads the same parameters into the server's context once it is loaded.
 */
import {
  CodeActionKind,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { SEMANTIC_LEGEND, ServerCommands, type LanguageFeatures } from '../protocol';
import { VERSION } from '../version';

/** Trigger characters of on-type formatting (a line continuation, a heredoc's backtick). */
export const ON_TYPE = { firstTriggerCharacter: '\\', moreTriggerCharacter: ['`'] };

/** `stagesOnly` when the initialization options ask for the stage features alone (the VS Code client beside another Dockerfile extension). */
export function modeOf(init: unknown): LanguageFeatures {
  return typeof init === 'object' && init !== null && (init as Record<string, unknown>)['languageFeatures'] === 'stagesOnly' ? 'stagesOnly' : 'all';
}

/**
 * Compose files share the client's document selector: formatting is registered for
 * Dockerfiles only where the client allows it, so that Compose files keep their own formatter.
 */
export function dynamicFormattingOf(caps: ClientCapabilities): boolean {
  const td = caps.textDocument;
  return td?.formatting?.dynamicRegistration === true && td.rangeFormatting?.dynamicRegistration === true && td.onTypeFormatting?.dynamicRegistration === true;
}

export function serverCapabilities(mode: LanguageFeatures, dynamicFormatting: boolean): ServerCapabilities {
  const capabilities: ServerCapabilities = {
    // Every column the server reads or writes counts UTF-16 code units: say so, whatever else the client offers.
    positionEncoding: 'utf-16',
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    inlayHintProvider: true,
    definitionProvider: true,
    referencesProvider: true,
    documentHighlightProvider: true,
    renameProvider: { prepareProvider: true },
    hoverProvider: true,
    documentSymbolProvider: { label: 'Dockerfile stages' },
    foldingRangeProvider: true,
    completionProvider: { triggerCharacters: ['=', ' ', '$', '{', '-'], resolveProvider: true },
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
    codeLensProvider: { resolveProvider: false },
    executeCommandProvider: { commands: [ServerCommands.build, ServerCommands.run] },
  };
  if (mode === 'all') {
    Object.assign(capabilities, {
      semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true },
      signatureHelpProvider: { triggerCharacters: ['-', '[', ',', ' ', '='] },
      documentLinkProvider: { resolveProvider: true },
    } satisfies ServerCapabilities);
    if (!dynamicFormatting) {
      Object.assign(capabilities, {
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        documentOnTypeFormattingProvider: ON_TYPE,
      } satisfies ServerCapabilities);
    }
  }
  return capabilities;
}

/** The answer to `initialize`. */
export function initializeResult(params: InitializeParams): InitializeResult {
  return {
    capabilities: serverCapabilities(modeOf(params.initializationOptions), dynamicFormattingOf(params.capabilities)),
    serverInfo: { name: 'dockerfile-stages-langserver', version: VERSION },
  };
}
