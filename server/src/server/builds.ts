/**
 * Builds for LSP clients other than VS Code: `workspace/executeCommand` of
 * ServerCommands (the Build/Run lenses). Off unless enabled (initializationOptions
 * `enableBuilds: true` or the setting `dockerStages.server.builds`): outside VS Code
 * there is no Workspace Trust, and a build runs the Dockerfile's commands.
 * The builder is spawned from an argv array (server/src/builds/plan.ts, the same
 * plan as the VS Code tasks), progress goes to window/workDoneProgress, errors
 * become diagnostics on the Dockerfile lines (builds/output.ts), and the result
 * (image id, size, engine) a window/showMessage. Every child is killed on shutdown.
 */
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, MessageType, ResponseError, type Connection, type Diagnostic, type WorkDoneProgressServerReporter } from 'vscode-languageserver';
import { inspectArgv, runArgv } from '../builds/argv';
import { describeEngine, engineProblem } from '../builds/engine';
import { formatSize, parseImageInspect } from '../builds/format';
import { locateBuildErrors } from '../builds/output';
import { DEFAULT_BUILD_SETTINGS, definitionFor, planBuild, type BuildSettings } from '../builds/plan';
import { quoteCommandLine } from '../builds/quote';
import { which } from '../builds/which';
import { parseStageBuildArgs, ServerCommands, type BuildTargetsResult } from '../protocol';

/** node:child_process, loaded on the first build rather than at start-up (~2 ms of every start). */
let childProcesses: typeof import('node:child_process') | undefined;
function childProcess(): typeof import('node:child_process') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (childProcesses ??= require('node:child_process') as typeof import('node:child_process'));
}

export const BUILD_DIAGNOSTIC_SOURCE = 'dockerfile-stages build';
const MAX_OUTPUT = 1_000_000;

interface SpawnResult {
  code: number | null;
  output: string;
  spawnError: string | undefined;
  cancelled: boolean;
}

export interface BuildOutcome {
  readonly ok: boolean;
  readonly message: string;
  readonly argv?: readonly string[];
  readonly tag?: string;
  readonly id?: string;
  readonly size?: number;
  readonly engine?: string;
  readonly exitCode?: number;
  readonly problems?: number;
}

function rec(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}
const str = (x: unknown, d: string) => (typeof x === 'string' ? x : d);

/** `{ server: { builds }, build: { builder, args, tag, context }, run: { args } }` (the settings section) merged over the initialization options. */
export function buildOptionsFrom(init: unknown, section: unknown): { enable: boolean; settings: BuildSettings } {
  const i = rec(init);
  const s = rec(section);
  const b = { ...rec(i['build']), ...rec(s['build']) };
  const enable = rec(s['server'])['builds'] === true || (rec(s['server'])['builds'] === undefined && i['enableBuilds'] === true);
  const d = DEFAULT_BUILD_SETTINGS;
  return {
    enable,
    settings: {
      builder: str(b['builder'], d.builder),
      args: str(b['args'], d.args),
      tag: str(b['tag'], d.tag),
      context: str(b['context'], d.context),
      runArgs: str(rec(s['run'])['args'] ?? rec(i['run'])['args'], d.runArgs),
    },
  };
}

export interface BuildHost {
  readonly init: unknown;
  readonly workDoneProgress: boolean;
  readonly roots: () => readonly string[];
  /** The `dockerStages` settings section for a file (null when the client has none). */
  readonly section: (uri: string) => Promise<unknown>;
  readonly outline: (uri: string) => Promise<BuildTargetsResult>;
  /** Publish the document's diagnostics again (they now include build problems). */
  readonly republish: (uri: string) => void;
}

export class ServerBuilds {
  private readonly problems = new Map<string, Diagnostic[]>();
  private readonly children = new Set<ChildProcess>();

  constructor(
    private readonly connection: Connection,
    private readonly host: BuildHost,
  ) {
    process.once('exit', () => {
      this.killAll();
    });
  }

  diagnosticsFor(uri: string): Diagnostic[] {
    return this.problems.get(uri) ?? [];
  }

  killAll(): void {
    for (const c of this.children) kill(c);
    this.children.clear();
  }

  private say(type: MessageType, message: string): void {
    void this.connection.sendNotification('window/showMessage', { type, message });
  }

  async execute(command: string, args: readonly unknown[] | undefined): Promise<BuildOutcome> {
    const a = parseStageBuildArgs(args?.[0]);
    if (!a) throw new ResponseError(-32602, `${command} takes one StageBuildArgs argument (as the lenses carry it)`);
    const fail = (message: string, type: MessageType = MessageType.Error): BuildOutcome => {
      this.say(type, message);
      return { ok: false, message };
    };
    const { enable, settings } = buildOptionsFrom(this.host.init, await this.host.section(a.uri));
    if (!enable) {
      return fail(
        'Builds from the language server are off: a build runs the Dockerfile\'s commands. Enable them with initializationOptions { "enableBuilds": true } or the setting dockerStages.server.builds.',
        MessageType.Warning,
      );
    }
    let file: string;
    try {
      file = fileURLToPath(a.uri);
    } catch {
      return fail(`Not a file on disk: ${a.uri}`);
    }
    if (a.nameFirst)
      return fail(
        `Stage #${a.stage} has no name, so no --target can select it: name it '${a.target}' first (the code action "Name this stage"), save, then build.`,
      );
    const folder = this.host.roots().find((r) => !path.relative(r, file).startsWith('..'));
    const run = command === ServerCommands.run;
    const plan = planBuild(definitionFor(a, file, folder, settings, run), {
      workspaceFolder: folder,
      settings,
      which: (name) => which(name, process.env['PATH'] ?? '', folder ?? path.dirname(file)),
    });
    if ('error' in plan) return fail(plan.error);
    const argv = [plan.argv.command, ...plan.argv.args];
    const shown = quoteCommandLine([plan.builder.display, ...plan.argv.args], 'posix');
    const engine = describeEngine(plan.builder, process.env, plan.spec.extraArgs);
    const what = plan.spec.target ? `target ${plan.spec.target}` : 'the default target';
    this.connection.console.log(`build (${engine}): ${shown}`);
    const progress = this.host.workDoneProgress ? await this.connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    progress?.begin(`Building ${what}`, undefined, `${plan.builder.display} on ${engine}`, true);

    const result = await this.spawnBuild(plan.argv, progress);
    progress?.done();

    if (result.spawnError) return fail(`${plan.builder.display} could not be started: ${result.spawnError}`);
    if (result.cancelled) return fail(`The build of ${what} was cancelled.`, MessageType.Info);
    if (result.code !== 0) {
      const down = engineProblem(result.output, engine, plan.builder);
      let problems: Diagnostic[] = [];
      try {
        const outline = await this.host.outline(a.uri);
        problems = locateBuildErrors(result.output, outline, path.basename(file)).map((p) => ({
          range: p.range,
          message: p.message,
          severity: DiagnosticSeverity.Error,
          source: BUILD_DIAGNOSTIC_SOURCE,
        }));
      } catch {
        // no outline: the message below still says what failed
      }
      this.problems.set(a.uri, down ? [] : problems);
      this.host.republish(a.uri);
      const message =
        down ??
        `The build of ${what} failed (${plan.builder.display} exited with ${result.code ?? 'a signal'})${problems.length ? `: ${problems.length} problem(s) on ${path.basename(file)} lines` : ''}. The output is in the server log.`;
      this.say(MessageType.Error, message);
      return { ok: false, message, argv, engine, exitCode: result.code ?? undefined, problems: problems.length };
    }
    if (this.problems.delete(a.uri)) this.host.republish(a.uri);
    const inspect = inspectArgv(plan.builder, plan.spec.tag, plan.argv.cwd);
    const info = await new Promise<ReturnType<typeof parseImageInspect>>((resolve) => {
      childProcess().execFile(inspect.command, [...inspect.args], { cwd: inspect.cwd, timeout: 30000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
        resolve(err ? undefined : parseImageInspect(stdout));
      });
    });
    const id = info?.id;
    const size = info?.size;
    let message =
      `Built ${plan.spec.tag}${id ? ` (${id.replace(/^sha256:/, '').slice(0, 12)}` : ' ('}${size !== undefined ? `${id ? ', ' : ''}${formatSize(size)}` : ''}) with ${plan.builder.display} on ${engine}.`.replace(
        ' ()',
        '',
      );
    if (run) {
      const r = runArgv(plan.builder, plan.spec.tag, [], plan.argv.cwd);
      message += r ? ` Run it in a terminal: ${quoteCommandLine([plan.builder.display, ...r.args], 'posix')}` : ` ${plan.builder.display} cannot run images.`;
    }
    this.say(MessageType.Info, message);
    return { ok: true, message, argv, tag: plan.spec.tag, id, size, engine, exitCode: 0, problems: 0 };
  }

  /** Runs the builder (its own process group, so cancelling kills the whole build), streaming its output to the log and the progress. */
  private spawnBuild(
    argv: { readonly command: string; readonly args: readonly string[]; readonly cwd: string },
    progress: WorkDoneProgressServerReporter | undefined,
  ): Promise<SpawnResult> {
    return new Promise<SpawnResult>((resolve) => {
      let output = '';
      let cancelled = false;
      let child: ChildProcess;
      try {
        child = childProcess().spawn(argv.command, [...argv.args], {
          cwd: argv.cwd,
          env: process.env,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: process.platform !== 'win32',
          windowsHide: true,
        });
      } catch (e) {
        resolve({ code: null, output: '', spawnError: e instanceof Error ? e.message : String(e), cancelled: false });
        return;
      }
      this.children.add(child);
      progress?.token.onCancellationRequested(() => {
        cancelled = true;
        kill(child);
      });
      let pending = '';
      const onData = (d: Buffer) => {
        const s = d.toString();
        if (output.length < MAX_OUTPUT) output += s;
        pending += s;
        const lines = pending.split(/\r?\n|\r/);
        pending = lines.pop() ?? '';
        for (const l of lines) {
          if (!l.trim()) continue;
          this.connection.console.log(l);
          progress?.report(l.slice(0, 120));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      let spawnError: string | undefined;
      child.on('error', (e) => (spawnError = e.message));
      child.on('close', (code) => {
        this.children.delete(child);
        resolve({ code, output, spawnError, cancelled });
      });
    });
  }
}

function kill(c: ChildProcess): void {
  if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return;
  try {
    if (process.platform !== 'win32') process.kill(-c.pid, 'SIGTERM');
    else c.kill();
  } catch {
    c.kill('SIGTERM');
  }
}
