/** Typed getters for the build settings (`dockerStages.build.*`, `dockerStages.run.*`). */
import * as vscode from 'vscode';
import { SETTINGS_SECTION } from '../../../server/src/protocol';
import { DEFAULT_BUILD_SETTINGS, type BuildSettings } from './plan';

function str(c: vscode.WorkspaceConfiguration, key: string, dflt: string): string {
  const v = c.get<unknown>(key);
  return typeof v === 'string' ? v : dflt;
}

export function buildSettings(scope: vscode.Uri | undefined): BuildSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const d = DEFAULT_BUILD_SETTINGS;
  return {
    builder: str(c, 'build.builder', d.builder),
    args: str(c, 'build.args', d.args),
    tag: str(c, 'build.tag', d.tag),
    context: str(c, 'build.context', d.context),
    runArgs: str(c, 'run.args', d.runArgs),
  };
}
