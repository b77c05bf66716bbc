/**
 * `dockerfile-stages check --format sarif`: a SARIF 2.1.0 log (OASIS), the
 * format GitHub code scanning uploads. One run, one rule per diagnostic code
 * (all of them, with metadata), one result per problem. Columns are UTF-16
 * code units (`columnKind`), as the stage model counts them. Pure.
 */
import type { Problem, Severity } from '../model/checks';
import { RULES } from '../model/rules';
import type { Code } from '../model/checks';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://example.invalid/dockerfile-stages';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export function sarifLevel(s: Severity): SarifLevel {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

export interface FileReport {
  /** A path relative to the source root (forward slashes), or an absolute file: URI. */
  readonly uri: string;
  /** True when `uri` is relative to %SRCROOT%. */
  readonly relative: boolean;
  readonly problems: readonly Problem[];
}

interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

function region(p: Problem['range']): Region {
  return { startLine: p.start.line + 1, startColumn: p.start.character + 1, endLine: p.end.line + 1, endColumn: p.end.character + 1 };
}

/** The path as a relative URI reference: each segment percent-encoded. */
export function relativeUri(relPath: string): string {
  return relPath.split(/[\\/]/).map(encodeURIComponent).join('/');
}

export function sarifLog(files: readonly FileReport[], version: string, srcRoot: string | undefined): Record<string, unknown> {
  const codes = Object.keys(RULES) as Code[];
  const rules = codes.map((code) => {
    const r = RULES[code];
    return {
      id: code,
      name: r.name,
      shortDescription: { text: r.short },
      fullDescription: { text: r.full },
      help: { text: `${r.full}\nBuildKit: ${r.buildkit}`, markdown: `${r.full}\n\nBuildKit: ${r.buildkit}` },
      defaultConfiguration: { level: sarifLevel(r.severity) },
      properties: { tags: ['dockerfile', 'multi-stage'], severity: r.severity },
    };
  });
  const results = files.flatMap((f) =>
    f.problems.map((p) => {
      const artifactLocation = f.relative ? { uri: f.uri, uriBaseId: '%SRCROOT%' } : { uri: f.uri };
      const result: Record<string, unknown> = {
        ruleId: p.code,
        ruleIndex: codes.indexOf(p.code),
        level: sarifLevel(p.severity),
        message: { text: p.message },
        locations: [{ physicalLocation: { artifactLocation, region: region(p.range) } }],
      };
      if (p.related.length) {
        result['relatedLocations'] = p.related.map((r, i) => ({
          id: i + 1,
          message: { text: r.message },
          physicalLocation: { artifactLocation, region: region(r.range) },
        }));
      }
      return result;
    }),
  );
  const run: Record<string, unknown> = {
    tool: { driver: { name: 'dockerfile-stages', version, semanticVersion: version, informationUri: INFORMATION_URI, rules } },
    columnKind: 'utf16CodeUnits',
    artifacts: files.map((f) => ({ location: f.relative ? { uri: f.uri, uriBaseId: '%SRCROOT%' } : { uri: f.uri } })),
    results,
  };
  if (srcRoot !== undefined) run['originalUriBaseIds'] = { '%SRCROOT%': { uri: srcRoot.endsWith('/') ? srcRoot : srcRoot + '/' } };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}
