/**
 * Builds as VS Code tasks of type `dockerfile-stages`. Each build is a
 * CustomExecution whose pseudoterminal spawns the builder with an argv array
 * (no shell), streams its output, shows progress, can be cancelled (Terminate
 * Task, or Cancel on the notification) and re-run, and, because it owns the
 * output, maps errors back to Dockerfile lines (a diagnostics collection).
 * After a successful build it inspects the image (size, age) for the lenses.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  BuildTargetsRequest,
  TASK_TYPE,
  type BuildTargetsParams,
  type BuildTargetsResult,
  type StageBuildArgs,
} from '../../../server/src/protocol';
import { ArgsError, splitArgs } from './args';
import { inspectArgv, runArgv } from './argv';
import { buildSettings } from './config';
import { formatSize, parseImageInspect, type ImageInfo } from './format';
import { locateBuildErrors } from './output';
import { definitionFor, parseTaskDefinition, planBuild, type BuildPlan, type PlanEnvironment, type StagesTaskDefinition } from './plan';
import { quoteCommandLine } from './quote';
import { which } from './which';

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
}

export interface BuiltImage {
  readonly tag: string;
  readonly id: string | undefined;
  readonly size: number | undefined;
  readonly created: string | undefined;
  readonly builtAt: string;
}

const canonical = (uri: string): string => vscode.Uri.parse(uri).toString();

/** The last image built per (Dockerfile, target), kept in the workspace state. */
export class ImageCache {
  private static readonly KEY = 'dockerStages.builtImages';
  constructor(private readonly memento: vscode.Memento) {}

  private all(): Record<string, BuiltImage> {
    const v = this.memento.get<unknown>(ImageCache.KEY);
    return typeof v === 'object' && v !== null ? (v as Record<string, BuiltImage>) : {};
  }

  private static key(uri: string, target: string | null | undefined): string {
    return `${canonical(uri)}#${target ?? ''}`;
  }

  get(uri: string, target: string | null | undefined): BuiltImage | undefined {
    const v = this.all()[ImageCache.key(uri, target)];
    return v && typeof v.tag === 'string' ? v : undefined;
  }

  async set(uri: string, target: string | null | undefined, image: BuiltImage): Promise<void> {
    const all = { ...this.all(), [ImageCache.key(uri, target)]: image };
    // Keep the 200 most recent.
    const keys = Object.keys(all).sort((a, b) => (all[b]?.builtAt ?? '').localeCompare(all[a]?.builtAt ?? ''));
    for (const k of keys.slice(200)) delete all[k];
    await this.memento.update(ImageCache.KEY, all);
  }
}

const UNTRUSTED = 'Builds are disabled in untrusted workspaces: a Dockerfile build runs commands from this workspace. Trust the workspace (Manage Workspace Trust) to build.';
const MAX_OUTPUT = 1_000_000;

function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, [...args], { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
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

export class Builds implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('dockerfile-stages-build');
  private readonly finished = new vscode.EventEmitter<BuildResult>();
  /** Every build that ends (lens, palette or tasks.json). */
  readonly onDidFinishBuild = this.finished.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly client: () => LanguageClient | undefined,
    readonly images: ImageCache,
    private readonly log: (s: string) => void,
  ) {
    this.disposables.push(
      this.diagnostics,
      this.finished,
      vscode.tasks.registerTaskProvider(TASK_TYPE, {
        provideTasks: (token) => this.provideTasks(token),
        resolveTask: (task) => this.resolveTask(task),
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** The server's stages of a Dockerfile and how to build each (it reads unopened files from disk). */
  async buildTargets(uri: string): Promise<BuildTargetsResult> {
    const c = this.client();
    if (!c) throw new Error('the language server is not running');
    const params: BuildTargetsParams = { uri };
    return c.sendRequest<BuildTargetsResult>(BuildTargetsRequest.method, params);
  }

  folderOf(file: string): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  }

  environment(folder: vscode.WorkspaceFolder | undefined, file: string | undefined): PlanEnvironment {
    const cwd = folder?.uri.fsPath ?? (file ? path.dirname(file) : process.cwd());
    return {
      workspaceFolder: folder?.uri.fsPath,
      settings: buildSettings(file ? vscode.Uri.file(file) : folder?.uri),
      which: (name) => which(name, process.env['PATH'] ?? '', cwd),
    };
  }

  plan(def: StagesTaskDefinition, folder: vscode.WorkspaceFolder | undefined): BuildPlan | { readonly error: string } {
    const base = folder?.uri.fsPath ?? process.cwd();
    return planBuild(def, this.environment(folder, path.resolve(base, def.file)));
  }

  /** The definition a lens or palette build runs as (tasks.json form). */
  definitionFor(args: StageBuildArgs, run: boolean): { def: StagesTaskDefinition; folder: vscode.WorkspaceFolder | undefined; file: string } {
    const file = vscode.Uri.parse(args.uri).fsPath;
    const folder = this.folderOf(file);
    const env = this.environment(folder, file);
    return { def: definitionFor(args, file, env.workspaceFolder, env.settings, run), folder, file };
  }

  taskName(def: StagesTaskDefinition): string {
    return `${def.run ? 'run' : 'build'} ${def.target ?? '(default target)'} · ${def.file.split(/[\\/]/).pop() ?? def.file}`;
  }

  createTask(def: StagesTaskDefinition, folder: vscode.WorkspaceFolder | undefined, onStart?: (t: BuildTerminal) => void, source: StagesTaskDefinition = def): vscode.Task {
    const exec = new vscode.CustomExecution(async (resolved) => {
      // Variables (${workspaceFolder}, …) are resolved in `resolved` for tasks.json tasks.
      const d = parseTaskDefinition(resolved);
      const t = new BuildTerminal(this, typeof d === 'string' ? def : d, folder);
      onStart?.(t);
      return t;
    });
    const task = new vscode.Task(source, folder ?? vscode.TaskScope.Workspace, this.taskName(def), 'Dockerfile Stages', exec, []);
    task.group = vscode.TaskGroup.Build;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true, showReuseMessage: false };
    const p = this.plan(def, folder);
    if (!('error' in p)) task.detail = quoteCommandLine([p.builder.display, ...p.argv.args], 'posix');
    return task;
  }

  /** Runs a build task and waits for it; undefined when it never started. */
  async execute(def: StagesTaskDefinition, folder: vscode.WorkspaceFolder | undefined): Promise<BuildResult | undefined> {
    let started: ((t: BuildTerminal) => void) | undefined;
    const terminal = new Promise<BuildTerminal>((r) => (started = r));
    const task = this.createTask(def, folder, (t) => started?.(t));
    const key = JSON.stringify(def);
    let sub: vscode.Disposable | undefined;
    const endedFirst = new Promise<undefined>((r) => {
      sub = vscode.tasks.onDidEndTask((e) => {
        if (JSON.stringify(e.execution.task.definition) === key) setTimeout(() => r(undefined), 1000);
      });
    });
    try {
      try {
        await vscode.tasks.executeTask(task);
      } catch (first) {
        // Seen once in CI right after another build ended: try once more before giving up.
        this.log(`the build task did not start (${first instanceof Error ? first.message : String(first)}); retrying`);
        await new Promise((r) => setTimeout(r, 500));
        try {
          await vscode.tasks.executeTask(task);
        } catch (e) {
          // e.g. the same build is already running and the user chose not to restart it.
          this.log(`the build task did not start: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        }
      }
      const t = await Promise.race([terminal, endedFirst]);
      return t ? await t.done : undefined;
    } finally {
      sub?.dispose();
    }
  }

  /** A lens or palette build: names the stage first when asked, saves the Dockerfile, builds (and runs). */
  async buildFromArgs(args: StageBuildArgs, run: boolean): Promise<BuildResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      void this.showUntrusted();
      return undefined;
    }
    const uri = vscode.Uri.parse(args.uri);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (args.nameFirst) {
      if (doc && args.nameFirst.version >= 0 && doc.version !== args.nameFirst.version) {
        void vscode.window.showWarningMessage('Dockerfile Stages: the Dockerfile changed since the lens was computed; try again.');
        return undefined;
      }
      const edit = new vscode.WorkspaceEdit();
      for (const e of args.nameFirst.edits) {
        edit.replace(uri, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
      }
      if (!(await vscode.workspace.applyEdit(edit))) {
        void vscode.window.showErrorMessage(`Dockerfile Stages: could not name the stage '${args.target}'.`);
        return undefined;
      }
    }
    // The builder reads the file from disk.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open?.isDirty && !(await open.save())) {
      void vscode.window.showErrorMessage('Dockerfile Stages: save the Dockerfile to build it.');
      return undefined;
    }
    const { def, folder } = this.definitionFor(args, run);
    return this.execute(def, folder);
  }

  async showUntrusted(): Promise<void> {
    const manage = 'Manage Workspace Trust';
    const pick = await vscode.window.showWarningMessage(`Dockerfile Stages: ${UNTRUSTED}`, manage);
    if (pick === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  }

  // ---- the task provider ------------------------------------------------------------------

  private async provideTasks(token: vscode.CancellationToken): Promise<vscode.Task[]> {
    if (!vscode.workspace.isTrusted) return [];
    const files = await vscode.workspace.findFiles('**/{Dockerfile,Containerfile,*.Dockerfile,*.dockerfile,*.containerfile,Dockerfile.*,Containerfile.*}', '**/{node_modules,.git}/**', 20, token);
    const out: vscode.Task[] = [];
    for (const f of files) {
      if (token.isCancellationRequested) break;
      let targets: BuildTargetsResult;
      try {
        targets = await this.buildTargets(f.toString());
      } catch {
        continue;
      }
      const last = targets.stages[targets.stages.length - 1];
      const args: StageBuildArgs[] = targets.stages.flatMap((s) => (s.build && !s.build.nameFirst ? [s.build] : []));
      if (last) args.push({ uri: targets.uri, target: null, stage: last.index, nameFirst: undefined, compose: targets.compose, fromCompose: false });
      for (const a of args) {
        const { def, folder } = this.definitionFor(a, false);
        out.push(this.createTask(def, folder));
      }
    }
    return out;
  }

  private resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = parseTaskDefinition(task.definition);
    if (typeof def === 'string') {
      this.log(`tasks.json: a ${TASK_TYPE} task is invalid: ${def}`);
      return undefined;
    }
    const folder = typeof task.scope === 'object' ? task.scope : undefined;
    // VS Code wants the task's own definition object back.
    return this.createTask(def, folder, undefined, task.definition as StagesTaskDefinition);
  }

  // ---- after a build ----------------------------------------------------------------------

  async inspect(plan: BuildPlan): Promise<ImageInfo | undefined> {
    const a = inspectArgv(plan.builder, plan.spec.tag, plan.argv.cwd);
    const r = await run(a.command, a.args, a.cwd, 20_000);
    return r.code === 0 ? parseImageInspect(r.stdout) : undefined;
  }

  async recordImage(uri: string, target: string | undefined, tag: string, info: ImageInfo | undefined): Promise<void> {
    await this.images.set(uri, target, { tag, id: info?.id, size: info?.size, created: info?.created, builtAt: new Date().toISOString() });
  }

  async showProblems(uri: vscode.Uri, output: string): Promise<number> {
    let outline: BuildTargetsResult;
    try {
      outline = await this.buildTargets(uri.toString());
    } catch (e) {
      this.log(`could not map the build errors to lines: ${e instanceof Error ? e.message : String(e)}`);
      return 0;
    }
    const problems = locateBuildErrors(output, outline, path.basename(uri.fsPath));
    this.diagnostics.set(uri, problems.map((p) => {
      const d = new vscode.Diagnostic(new vscode.Range(p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character), p.message, vscode.DiagnosticSeverity.Error);
      d.source = 'docker build';
      return d;
    }));
    return problems.length;
  }

  runImage(plan: BuildPlan): string | undefined {
    let extra: string[];
    try {
      extra = splitArgs(this.environment(this.folderOf(plan.spec.file), plan.spec.file).settings.runArgs);
    } catch (e) {
      if (e instanceof ArgsError) return `dockerStages.run.args: ${e.message}`;
      throw e;
    }
    const a = runArgv(plan.builder, plan.spec.tag, extra, plan.argv.cwd);
    if (!a) return `${plan.builder.display} cannot run images: run ${plan.spec.tag} with podman or docker.`;
    const t = vscode.window.createTerminal({ name: `Run ${plan.spec.tag}`, shellPath: a.command, shellArgs: [...a.args], cwd: a.cwd });
    t.show();
    return undefined;
  }

  fire(r: BuildResult): void {
    this.finished.fire(r);
  }
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
    private readonly builds: Builds,
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
    c.once('close', () => clearTimeout(t));
  }

  private base: Omit<BuildResult, 'exitCode' | 'error' | 'image' | 'problems' | 'cancelled'> | undefined;

  private finish(r: { exitCode: number | undefined; error?: string; image?: ImageInfo; problems?: number }): void {
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
    if (plan.builder.command !== plan.builder.display && plan.builder.display === plan.builder.kind) this.line(`\x1b[2m(${plan.builder.display} is ${plan.builder.command})\x1b[0m`);
    this.line('');
    const what = plan.spec.target ? `target ${plan.spec.target}` : 'the default target';
    let killed: NodeJS.Signals | undefined;
    const exit = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Building ${what} of ${path.basename(plan.spec.file)}`, cancellable: true },
      (progress, token) => new Promise<number | undefined>((resolve) => {
        token.onCancellationRequested(() => this.cancel());
        let child: ChildProcess;
        try {
          // Its own process group: the builder's helpers (docker-buildx, …) can be stopped with it.
          child = spawn(plan.argv.command, [...plan.argv.args], { cwd: plan.argv.cwd, shell: false, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
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
          this.line(`\x1b[31mCannot run ${plan.argv.command}: ${e.code === 'ENOENT' ? 'not found (or the context folder does not exist)' : e.message}\x1b[0m`);
          resolve(undefined);
        });
        child.on('close', (code, signal) => {
          if (signal) {
            // Killed (by the user, the OOM killer, …): nothing of the build may stay behind.
            killed = signal;
            killTree(child, 'SIGKILL');
          }
          resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
        });
      }),
    );
    if (exit === 0) {
      const image = await this.builds.inspect(plan);
      await this.builds.recordImage(uri.toString(), plan.spec.target, plan.spec.tag, image);
      this.line('');
      this.line(`\x1b[32mBuilt ${plan.spec.tag}${image?.size !== undefined ? ` · ${formatSize(image.size)}` : ''}\x1b[0m`);
      if (this.def.run) {
        const why = this.builds.runImage(plan);
        if (why) this.line(`\x1b[31m${why}\x1b[0m`);
      }
      this.finish({ exitCode: 0, image });
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
    this.line(`\x1b[31mThe build failed${exit !== undefined ? ` (exit code ${exit})` : ''}.${problems ? ` ${problems} problem${problems === 1 ? '' : 's'} on Dockerfile lines: see the Problems panel.` : ''}\x1b[0m`);
    this.finish({ exitCode: exit, problems });
  }
}
