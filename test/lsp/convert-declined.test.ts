/**
 * Issue 9: a conversion we decline says why. Over stdio: a single-stage Dockerfile the
 * converter declines gets "Convert to multi-stage build" as a *disabled* refactoring
 * carrying the true reason — for clients that show disabled actions (LSP 3.16
 * `codeAction.disabledSupport`), and nothing at all for clients that do not.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { CodeActionRequest, type CodeAction, type Command } from 'vscode-languageserver-protocol/node';
import { LspClient } from '../helpers/lspClient';

const dir = mkdtempSync(path.join(tmpdir(), 'dfs-declined-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

// The toolchain is installed and purged in the same RUN (a redis-style build): the image does not ship it.
const PURGED = [
  'FROM debian:bookworm',
  'RUN apt-get update && apt-get install -y gcc make \\',
  '    && make -C /src && make -C /src install \\',
  '    && apt-get purge -y gcc make && rm -rf /var/lib/apt/lists/*',
  'CMD ["/usr/local/bin/app"]',
  '',
].join('\n');

async function actionsFor(disabledSupport: boolean): Promise<(CodeAction | Command)[]> {
  const c = new LspClient({
    capabilities: {
      workspace: { configuration: true },
      textDocument: { codeAction: { disabledSupport, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor.rewrite'] } } } },
    },
  });
  try {
    await c.init;
    const file = path.join(dir, `Dockerfile.${String(disabledSupport)}`);
    writeFileSync(file, PURGED);
    const uri = pathToFileURL(file).href;
    c.open(uri, PURGED);
    return (
      (await c.conn.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
        context: { diagnostics: [] },
      })) ?? []
    );
  } finally {
    await c.stop();
  }
}

test('a declined conversion is a disabled action with the reason, for clients that show them', async () => {
  const actions = await actionsFor(true);
  const convert = actions.find((a): a is CodeAction => a.title === 'Convert to multi-stage build');
  assert.ok(convert, JSON.stringify(actions));
  assert.equal(convert.edit, undefined, 'a declined conversion carries no edit');
  assert.match(convert.disabled?.reason ?? '', /^Not converted: the toolchain is already removed in the RUN at line 2/);
});

test('clients without disabledSupport get no convert action at all', async () => {
  const actions = await actionsFor(false);
  assert.ok(!actions.some((a) => a.title.startsWith('Convert to multi-stage')), JSON.stringify(actions));
});
