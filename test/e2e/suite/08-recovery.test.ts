// Crash recovery in the real VS Code: kill the language server process (SIGKILL, as the OOM killer
// would); the client starts a new one (bounded backoff, client/src/restartPolicy.ts) and the open
// Dockerfile's inlay hints and code lenses come back without a reload.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { extension, inlayHints, openDockerfile, poll } from './helpers';

/** Our server processes: children of this extension host running <extension>/dist/server.js. */
function serverPids(): number[] {
  const script = `${extension().extensionPath}/dist/server.js`;
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (ppid === process.pid && cmd.includes(script)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('recovery when the language server dies', () => {
  it('restarts the killed server; hints and lenses come back for the open Dockerfile', async function () {
    if (process.platform !== 'linux') this.skip();
    const doc = await openDockerfile('Dockerfile');
    const hints = await poll(
      'inlay hints before the kill',
      () => inlayHints(doc),
      (h) => h.length > 0,
    );
    const [pid, ...more] = await poll(
      'our server process',
      () => serverPids(),
      (p) => p.length > 0,
    );
    assert.deepStrictEqual(more, [], 'one server process');
    process.kill(pid as number, 'SIGKILL');
    const next = await poll(
      'a new server process',
      () => serverPids(),
      (p) => p.length === 1 && p[0] !== pid,
    );
    assert.notStrictEqual(next[0], pid);
    const again = await poll(
      'inlay hints after the restart',
      () => inlayHints(doc),
      (h) => h.length === hints.length,
    );
    assert.deepStrictEqual(again, hints);
    const lenses = await poll(
      'code lenses after the restart',
      () => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri),
      (l) => (l ?? []).some((x) => x.command?.title.startsWith('Build')),
    );
    assert.ok(lenses.length > 0);
  });
});
