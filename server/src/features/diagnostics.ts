/**
 * The one path from problems to LSP diagnostics: every diagnostic the server
 * publishes (stage checks, the toolchain finding, Compose checks, file too large)
 * is a `Problem` with a code from model/codes.ts, converted here.
 */
import { DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver-types';
import type { Diagnostic } from 'vscode-languageserver';
import { checkModel, Codes, type Problem, type Severity } from '../model/checks';
import type { StageModel } from '../model/model';
import { convertProblems } from './convert';
import { DIAGNOSTIC_SOURCE, type Settings } from '../protocol';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function problemsFor(model: StageModel, settings: Settings): Problem[] {
  if (!settings.diagnostics.enable) return [];
  const all = checkModel(model);
  const stages = settings.diagnostics.unreachableStages ? all : all.filter((p) => p.code !== Codes.unreachable);
  return settings.diagnostics.singleStageToolchain ? [...stages, ...convertProblems(model)] : stages;
}

export function toDiagnostic(p: Problem, uri: string): Diagnostic {
  const d: Diagnostic = { range: p.range, severity: SEVERITY[p.severity], code: p.code, source: DIAGNOSTIC_SOURCE, message: p.message };
  if (p.unnecessary) d.tags = [DiagnosticTag.Unnecessary];
  if (p.related.length) d.relatedInformation = p.related.map((r) => ({ location: { uri: r.uri ?? uri, range: r.range }, message: r.message }));
  if (p.data) d.data = p.data;
  return d;
}
