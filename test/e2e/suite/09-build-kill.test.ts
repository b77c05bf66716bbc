// A killed build in the real VS Code (real engine): SIGKILL the builder while `RUN sleep 60` runs; the
// task ends as failed with the reason, and nothing of its process group (docker-buildx, …) is left.
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BuildResult } from '../../../client/src/builds/builds';
import { openDockerfile, poll, setSetting, sleep, workspaceUri } from './helpers';

const run = (cmd: string, args: string[]) =>
  new Promise<number>((r) =>
    execFile(cmd, args, { timeout: 20_000 }, (e) => {
      r(e ? 1 : 0);
    }),
  );

interface Proc {
  pid: number;
  ppid: number;
  pgrp: number;
  cmd: string[];
}
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(d), ppid: Number(f[1]), pgrp: Number(f[2]), cmd: fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('a killed build (real engine)', function () {
  this.timeout(180_000);
  const file = workspaceUri('kill', 'Dockerfile');
  let docker = '';
  before(async function () {
    if (process.platform !== 'linux') this.skip();
    for (const d of ['docker', path.join(process.env.DSE_DIR ?? '/tmp/dse', 'bin', 'docker')]) {
      if ((await run(d, ['info', '--format', '{{.ServerVersion}}'])) === 0) {
        docker = d;
        break;
      }
    }
    if (!docker) {
      console.log('      SKIPPED: no Docker engine reachable. Start one with scripts/engine/setup-engine.sh.');
      this.skip();
    }
    if (docker !== 'docker') await setSetting('dockerStages', 'build.builder', docker);
    fs.mkdirSync(path.dirname(file.fsPath), { recursive: true });
    fs.writeFileSync(file.fsPath, `FROM debian:12-slim\nRUN echo ${Date.now()} && sleep 60\n`);
  });
  after(async () => {
    await setSetting('dockerStages', 'build.builder', undefined);
    fs.rmSync(path.dirname(file.fsPath), { recursive: true, force: true });
  });

  it('ends the task as failed with the reason, and leaves no builder process behind', async () => {
    const doc = await openDockerfile(path.join('kill', 'Dockerfile'));
    const args = { uri: doc.uri.toString(), target: null, stage: 0, nameFirst: undefined, compose: undefined, fromCompose: false };
    const result = vscode.commands.executeCommand<BuildResult | undefined>('dockerStages.client.build', args);
    const [builder] = await poll(
      'the builder process',
      () => processes().filter((p) => p.ppid === process.pid && p.cmd.includes('build') && path.basename(p.cmd[0] ?? '') === 'docker'),
      (ps) => ps.length > 0,
    );
    const b = builder as Proc;
    await sleep(3000); // into the RUN step
    process.kill(b.pid, 'SIGKILL');
    const r = await result;
    assert.ok(r, 'the build started');
    assert.notStrictEqual(r.exitCode, 0);
    assert.match(r.error ?? '', /killed \(SIGKILL\)/);
    await poll(
      "no process left in the build's group",
      () => processes().filter((p) => p.pgrp === b.pid),
      (ps) => ps.length === 0,
    );
  });
});
