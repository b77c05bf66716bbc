/**
 * The pseudoterminal of one build run: spawns the builder with an argv array (no
 * shell), streams its output, shows progress, can be cancelled, and when the build
 * ends records the image, maps errors to Dockerfile lines and reports a BuildResult.
 * It reaches the rest of the builds through the narrow `BuildHost` (builds.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatSize, type ImageInfo } from './format';
import type { HistoryEntry } from './layers';
import type { BuildPlan, StagesTaskDefinition } from './plan';
import { quoteCommandLine } from './quote';
import { describeEngine } from '../../../server/src/builds/engine';

export const UNTRUSTED =
  'Builds are disabled in untrusted workspaces: a Dockerfile build runs commands from this workspace. Trust the workspace (Manage Workspace Trust) to build.';
const MAX_OUTPUT = 1_000_000;

export interface BuildResult {
  readonly definition: StagesTaskDefinition;
  /** The Dockerfile (canonical URI string). */
  readonly uri: string;
  readonly target: string | undefined;
  readonly tag: string | undefined;
  /** The builder's exit code; undefined when it did not start. */
  readonly exitCode: number | undefined;
  readonly cancelled: boolean;
  /** The command line (POSIX quoting), for messages. */
  readonly commandLine: string | undefined;
  readonly image: ImageInfo | undefined;
  /** Problems put on Dockerfile lines. */
  readonly problems: number;
  /** Why the build did not run (untrusted workspace, no builder, bad settings). */
  readonly error: string | undefined;
  /** The built image's history, oldest first (successful builds, builders that have one). */
  readonly history?: readonly HistoryEntry[];
  /** The builder's output (the last MB), for BuildKit's step times. */
  readonly output?: string;
}

/** What a build run needs from the builds around it. */
export interface BuildHost {
  readonly diagnostics: vscode.DiagnosticCollection;
  plan(def: StagesTaskDefinition, folder: vscode.WorkspaceFolder | undefined): BuildPlan | { readonly error: string };
  inspect(plan: BuildPlan): Promise<ImageInfo | undefined>;
  history(plan: BuildPlan): Promise<HistoryEntry[] | undefined>;
  recordImage(uri: string, target: string | undefined, tag: string, info: ImageInfo | undefined, seconds?: number): Promise<void>;
  runImage(plan: BuildPlan): string | undefined;
  showProblems(uri: vscode.Uri, output: string): Promise<number>;
  fire(r: BuildResult): void;
}

/** The pseudoterminal of one build run. */
export class BuildTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private child: ChildProcess | undefined;
  private cancelled = false;
  private output = '';
  private resolveDone: ((r: BuildResult) => void) | undefined;
  readonly done = new Promise<BuildResult>((r) => (this.resolveDone = r));

  constructor(
    private readonly builds: BuildHost,
    private readonly def: StagesTaskDefinition,
    private readonly folder: vscode.WorkspaceFolder | undefined,
  ) {}

  open(): void {
    void this.start().catch((e: unknown) => {
      this.line(`\x1b[31m${e instanceof Error ? e.message : String(e)}\x1b[0m`);
      this.finish({ exitCode: undefined, error: String(e) });
    });
  }

  close(): void {
    this.cancel();
  }

  private write(text: string): void {
    this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  private line(text: string): void {
    this.write(`${text}\n`);
  }

  cancel(): void {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    this.cancelled = true;
    killTree(c, 'SIGINT');
    const t = setTimeout(() => {
      if (c.exitCode === null && c.signalCode === null) killTree(c, 'SIGKILL');
    }, 5000);
    c.once('close', () => {
      clearTimeout(t);
    });
  }

  private base: Omit<BuildResult, 'exitCode' | 'error' | 'image' | 'problems' | 'cancelled'> | undefined;

  private finish(r: { exitCode: number | undefined; error?: string; image?: ImageInfo; problems?: number; history?: HistoryEntry[] }): void {
    const result: BuildResult = {
      definition: this.def,
      uri: this.base?.uri ?? '',
      target: this.def.target,
      tag: this.base?.tag,
      commandLine: this.base?.commandLine,
      exitCode: r.exitCode,
      cancelled: this.cancelled,
      error: r.error,
      image: r.image,
      problems: r.problems ?? 0,
      history: r.history,
      output: this.output,
    };
    this.builds.fire(result);
    this.resolveDone?.(result);
    this.closeEmitter.fire(r.exitCode ?? 1);
  }

  private async start(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.line(`\x1b[33m${UNTRUSTED}\x1b[0m`);
      this.finish({ exitCode: undefined, error: UNTRUSTED });
      return;
    }
    const plan = this.builds.plan(this.def, this.folder);
    if ('error' in plan) {
      this.line(`\x1b[31m${plan.error}\x1b[0m`);
      this.finish({ exitCode: undefined, error: plan.error });
      return;
    }
    const uri = vscode.Uri.file(plan.spec.file);
    const commandLine = quoteCommandLine([plan.builder.display, ...plan.argv.args], 'posix');
    this.base = { definition: this.def, uri: uri.toString(), target: plan.spec.target, tag: plan.spec.tag, commandLine };
    this.builds.diagnostics.delete(uri);
    this.line(`\x1b[1m> ${commandLine}\x1b[0m`);
    this.line(`Engine: ${describeEngine(plan.builder, process.env, plan.spec.extraArgs)}`);
    if (plan.builder.command !== plan.builder.display && plan.builder.display === plan.builder.kind)
      this.line(`\x1b[2m(${plan.builder.display} is ${plan.builder.command})\x1b[0m`);
    this.line('');
    const what = plan.spec.target ? `target ${plan.spec.target}` : 'the default target';
    const startedAt = Date.now();
    let killed: NodeJS.Signals | undefined;
    const exit = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Building ${what} of ${path.basename(plan.spec.file)}`, cancellable: true },
      (progress, token) =>
        new Promise<number | undefined>((resolve) => {
          token.onCancellationRequested(() => {
            this.cancel();
          });
          let child: ChildProcess;
          try {
            // Its own process group: the builder's helpers (docker-buildx, …) can be stopped with it.
            child = spawn(plan.argv.command, [...plan.argv.args], {
              cwd: plan.argv.cwd,
              shell: false,
              windowsHide: true,
              stdio: ['ignore', 'pipe', 'pipe'],
              detached: process.platform !== 'win32',
            });
          } catch (e) {
            this.line(`\x1b[31mCannot start ${plan.argv.command}: ${e instanceof Error ? e.message : String(e)}\x1b[0m`);
            resolve(undefined);
            return;
          }
          this.child = child;
          let pending = '';
          const onData = (d: Buffer) => {
            const s = d.toString('utf8');
            this.write(s);
            this.output = (this.output + s).slice(-MAX_OUTPUT);
            pending += s;
            const parts = pending.split(/\r?\n/);
            pending = parts.pop() ?? '';
            const step = [...parts].reverse().find((l) => /^#\d+ \[[^\]]+\] |^Step \d+\/\d+ : |STEP \d+\/\d+: /.test(l));
            if (step) progress.report({ message: step.replace(/^#\d+ /, '').slice(0, 100) });
          };
          child.stdout?.on('data', onData);
          child.stderr?.on('data', onData);
          child.on('error', (e: NodeJS.ErrnoException) => {
            this.line(
              `\x1b[31mCannot run ${plan.argv.command}: ${e.code === 'ENOENT' ? 'not found (or the context folder does not exist)' : e.message}\x1b[0m`,
            );
            resolve(undefined);
          });
          child.on('close', (code, signal) => {
            if (signal) {
              // Killed (by the user, the OOM killer, …): nothing of the build may stay behind.
              killed = signal;
              killTree(child, 'SIGKILL');
            }
            resolve(code ?? (signal ? 128 + os.constants.signals[signal] : 1));
          });
        }),
    );
    if (exit === 0) {
      const image = await this.builds.inspect(plan);
      const history = await this.builds.history(plan);
      await this.builds.recordImage(uri.toString(), plan.spec.target, plan.spec.tag, image, (Date.now() - startedAt) / 1000);
      this.line('');
      this.line(`\x1b[32mBuilt ${plan.spec.tag}${image?.size !== undefined ? ` · ${formatSize(image.size)}` : ''}\x1b[0m`);
      if (this.def.run) {
        const why = this.builds.runImage(plan);
        if (why) this.line(`\x1b[31m${why}\x1b[0m`);
      }
      this.finish({ exitCode: 0, image, history });
      return;
    }
    if (this.cancelled) {
      this.line('');
      this.line('\x1b[33mBuild cancelled.\x1b[0m');
      this.finish({ exitCode: exit ?? 130 });
      return;
    }
    if (killed) {
      const why = `The build failed: ${plan.builder.display} was killed (${killed}).`;
      this.line('');
      this.line(`\x1b[31m${why}\x1b[0m`);
      this.finish({ exitCode: exit, error: why });
      return;
    }
    const problems = exit === undefined ? 0 : await this.builds.showProblems(uri, this.output);
    this.line('');
    this.line(
      `\x1b[31mThe build failed${exit !== undefined ? ` (exit code ${exit})` : ''}.${problems ? ` ${problems} problem${problems === 1 ? '' : 's'} on Dockerfile lines: see the Problems panel.` : ''}\x1b[0m`,
    );
    this.finish({ exitCode: exit, problems });
  }
}

/** Signals a builder and everything it started (its process group, where there is one). */
function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined && process.platform !== 'win32') {
    try {
      process.kill(-child.pid, signal);
      return;
    } catch {
      // No such group (already gone): fall back to the process itself.
    }
  }
  try {
    child.kill(signal);
  } catch {
    // gone
  }
}
