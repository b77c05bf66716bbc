// Shared helpers for the e2e tests. They run in VS Code's extension host, with the real `vscode` API.
import * as assert from 'assert';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'dockerfile-stages.dockerfile-stages';
/** The language server starts asynchronously; everything that depends on it is polled up to this long. */
export const SERVER_TIMEOUT_MS = 30_000;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `fn` until `ok` accepts its result (errors thrown by `fn` count as "not yet"), every 200 ms,
 * for up to `timeoutMs`. Returns the accepted value; fails with the last value or error otherwise.
 */
export async function poll<T>(what: string, fn: () => Thenable<T> | T, ok: (v: T) => boolean, timeoutMs = SERVER_TIMEOUT_MS): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: string = 'nothing yet';
  for (;;) {
    try {
      const v = await fn();
      if (ok(v)) return v;
      last = JSON.stringify(v);
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last: ${last}`);
    await sleep(200);
  }
}

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded (is it the extensionDevelopmentPath?)`);
  return ext;
}

export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder open (launch with test/e2e/workspace)');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

/** Opens a fixture Dockerfile in an editor and waits until our extension is active. */
export async function openDockerfile(name = 'Dockerfile'): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(name));
  await vscode.window.showTextDocument(doc);
  assert.strictEqual(doc.languageId, 'dockerfile', `${name} should open as language "dockerfile"`);
  const ext = extension();
  await poll(
    'the extension to activate (activation event onLanguage:dockerfile)',
    () => ext.isActive,
    (a) => a,
  );
  return doc;
}

/** Inlay hint labels may be strings or InlayHintLabelPart[]; tests compare the joined text. */
export function labelText(hint: vscode.InlayHint): string {
  const text = typeof hint.label === 'string' ? hint.label : hint.label.map((p) => p.value).join('');
  return text.replace(/\s+/g, ' ').trim();
}

export interface Hint {
  line: number;
  character: number;
  label: string;
}

export async function inlayHints(doc: vscode.TextDocument, range?: vscode.Range): Promise<Hint[]> {
  const r = range ?? new vscode.Range(0, 0, doc.lineCount, 0);
  const hints = await vscode.commands.executeCommand<vscode.InlayHint[] | undefined>('vscode.executeInlayHintProvider', doc.uri, r);
  return (hints ?? [])
    .map((h) => ({ line: h.position.line, character: h.position.character, label: labelText(h) }))
    .sort((a, b) => a.line - b.line || a.character - b.character || a.label.localeCompare(b.label));
}

/** The first line whose text starts with `prefix` (fixtures are written so that this is unique). */
export function lineStarting(doc: vscode.TextDocument, prefix: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.startsWith(prefix)) return i;
  return assert.fail(`no line starting with ${JSON.stringify(prefix)} in ${doc.uri.path}`);
}

/** Position of `offset` characters into the first occurrence of `needle` on `line`. */
export function positionIn(doc: vscode.TextDocument, line: number, needle: string, offset = 0): vscode.Position {
  const col = doc.lineAt(line).text.indexOf(needle);
  assert.ok(col >= 0, `${JSON.stringify(needle)} not on line ${line}: ${doc.lineAt(line).text}`);
  return new vscode.Position(line, col + offset);
}

/** Location | LocationLink -> uri + the range that names the target. */
export function target(l: vscode.Location | vscode.LocationLink): { uri: vscode.Uri; range: vscode.Range } {
  return 'targetUri' in l ? { uri: l.targetUri, range: l.targetSelectionRange ?? l.targetRange } : l;
}

export function hoverText(hovers: vscode.Hover[]): string {
  return (
    hovers
      .flatMap((h) => h.contents)
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- MarkedString is what older hovers return
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n')
  );
}

/** Sets a user setting and resolves once VS Code reports it (undefined = back to the default). */
export async function setSetting(section: string, key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Global);
}
