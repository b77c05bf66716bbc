/**
 * The build commands: the `dockerStages.client.*` commands CodeLenses carry,
 * the palette's Build Target… / Run Target… / Copy Build Command, and the
 * decoration of lens titles with the last built image's size and age.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClientCommands, Commands, parseStageBuildArgs, type BuildTargetsResult, type StageBuildArgs } from '../../../server/src/protocol';
import { Builds, type BuildResult, type ImageCache } from './builds';
import { formatAge, formatSize } from './format';
import { quoteCommandLine, shellKindOf } from './quote';

type PickKind = 'build' | 'run' | 'copy';

async function pickDockerfile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return vscode.Uri.parse(arg);
  const ed = vscode.window.activeTextEditor;
  if (ed && ed.document.languageId === 'dockerfile') return ed.document.uri;
  const files = await vscode.workspace.findFiles(
    '**/{Dockerfile,Containerfile,*.Dockerfile,*.dockerfile,*.containerfile,Dockerfile.*,Containerfile.*}',
    '**/{node_modules,.git}/**',
    100,
  );
  if (files.length === 0) {
    void vscode.window.showInformationMessage('Dockerfile Stages: no Dockerfile in this workspace.');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const pick = await vscode.window.showQuickPick(
    files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
    { placeHolder: 'Which Dockerfile?' },
  );
  return pick?.uri;
}

interface StageItem extends vscode.QuickPickItem {
  readonly args: StageBuildArgs;
}

export function stageItems(t: BuildTargetsResult, kind: PickKind): StageItem[] {
  const items: StageItem[] = [];
  for (const s of t.stages) {
    const b = s.build;
    if (!b || (b.nameFirst && kind === 'copy')) continue;
    const from = `FROM ${s.base || '?'}`;
    const run = s.runnable ? ' · has CMD/ENTRYPOINT' : '';
    if (b.nameFirst) items.push({ label: `#${s.index} (unnamed)`, description: `${from}${run} — names it '${b.target}' first`, args: b });
    else
      items.push({
        label: `${kind === 'run' && s.runnable ? '$(play) ' : ''}${b.target}`,
        description: `#${s.index} · ${from}${run}`,
        detail: s.description,
        args: b,
      });
  }
  const last = t.stages[t.stages.length - 1];
  if (last) {
    items.push({
      label: 'Default target',
      description: `#${last.index}${last.name ? ` ${last.name}` : ''}, the last stage (no --target)`,
      args: { uri: t.uri, target: null, stage: last.index, nameFirst: undefined, compose: t.compose, fromCompose: false },
    });
  }
  return items;
}

async function pickStage(builds: Builds, kind: PickKind, arg: unknown): Promise<StageBuildArgs | undefined> {
  const uri = await pickDockerfile(arg);
  if (!uri) return undefined;
  let targets: BuildTargetsResult;
  try {
    targets = await builds.buildTargets(uri.toString());
  } catch (e) {
    void vscode.window.showErrorMessage(`Dockerfile Stages: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  if (targets.stages.length === 0) {
    void vscode.window.showInformationMessage('Dockerfile Stages: this Dockerfile has no stages yet.');
    return undefined;
  }
  const placeHolder = kind === 'run' ? 'Build and run which stage?' : kind === 'copy' ? 'Copy the build command of which target?' : 'Build which target?';
  const pick = await vscode.window.showQuickPick(stageItems(targets, kind), { placeHolder, matchOnDescription: true });
  return pick?.args;
}

/** The command line a build of `args` runs, quoted for the user's shell. */
export function buildCommandLine(builds: Builds, args: StageBuildArgs, shellPath: string): string | { error: string } {
  const { def, folder } = builds.definitionFor(args, false);
  const plan = builds.plan(def, folder);
  if ('error' in plan) return plan;
  return quoteCommandLine([plan.builder.display, ...plan.argv.args], shellKindOf(shellPath, process.platform));
}

function report(r: BuildResult | undefined): BuildResult | undefined {
  if (r?.error && r.error !== '') void vscode.window.showErrorMessage(`Dockerfile Stages: ${r.error}`);
  return r;
}

export function registerBuildCommands(builds: Builds): vscode.Disposable[] {
  const fromLens = async (arg: unknown, run: boolean): Promise<BuildResult | undefined> => {
    const a = parseStageBuildArgs(arg);
    if (!a) {
      void vscode.window.showErrorMessage('Dockerfile Stages: this build command needs a stage (run it from a lens above a FROM).');
      return undefined;
    }
    return report(await builds.buildFromArgs(a, run));
  };
  const fromPalette = async (arg: unknown, kind: 'build' | 'run'): Promise<BuildResult | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void builds.showUntrusted();
      return undefined;
    }
    const a = parseStageBuildArgs(arg) ?? (await pickStage(builds, kind, arg));
    return a ? report(await builds.buildFromArgs(a, kind === 'run')) : undefined;
  };
  return [
    vscode.commands.registerCommand(ClientCommands.build, (arg: unknown) => fromLens(arg, false)),
    vscode.commands.registerCommand(ClientCommands.run, (arg: unknown) => fromLens(arg, true)),
    vscode.commands.registerCommand(Commands.buildTarget, (arg: unknown) => fromPalette(arg, 'build')),
    vscode.commands.registerCommand(Commands.runTarget, (arg: unknown) => fromPalette(arg, 'run')),
    vscode.commands.registerCommand(Commands.copyBuildCommand, async (arg: unknown): Promise<string | undefined> => {
      const a = parseStageBuildArgs(arg) ?? (await pickStage(builds, 'copy', arg));
      if (!a) return undefined;
      const line = buildCommandLine(builds, a, vscode.env.shell);
      if (typeof line !== 'string') {
        void vscode.window.showErrorMessage(`Dockerfile Stages: ${line.error}`);
        return undefined;
      }
      await vscode.env.clipboard.writeText(line);
      void vscode.window.showInformationMessage(`Copied: ${line}`);
      return line;
    }),
  ];
}

/** `Build target runtime · 1.8 MB · 2 min ago`: the last image built for a lens's (Dockerfile, target). */
export function decorateLenses(lenses: vscode.CodeLens[], images: ImageCache, trusted: boolean, now: Date = new Date()): vscode.CodeLens[] {
  // No build or run lenses in an untrusted workspace (they come back when trust is granted: extension.ts refreshes them).
  const isBuild = (l: vscode.CodeLens) => l.command?.command === ClientCommands.build || l.command?.command === ClientCommands.run;
  if (!trusted) return lenses.filter((l) => !isBuild(l));
  for (const l of lenses) {
    const c = l.command;
    if (!c || (c.command !== ClientCommands.build && c.command !== ClientCommands.run)) continue;
    const a = parseStageBuildArgs(c.arguments?.[0]);
    if (!a || a.nameFirst || c.command !== ClientCommands.build) continue;
    const img = images.get(a.uri, a.target);
    if (!img) continue;
    const parts = [img.size !== undefined ? formatSize(img.size) : undefined, img.created ? formatAge(new Date(img.created), now) : undefined].filter(
      (p): p is string => p !== undefined,
    );
    if (parts.length) c.title = `${c.title} · ${parts.join(' · ')}`;
    c.tooltip = `${img.tag}${img.id ? ` (${img.id.replace(/^sha256:/, '').slice(0, 12)})` : ''}, built ${new Date(img.builtAt).toLocaleString()} from ${path.basename(vscode.Uri.parse(a.uri).fsPath)}`;
  }
  return lenses;
}
