/**
 * The workspace index: every Compose, Bake, dev container and workflow file in the
 * workspace folders, parsed, with the builds they declare and, by Dockerfile, the
 * builds that target it. File access is injected (see FileAccess), so that it runs
 * against a fake file system in tests.
 *
 * Hostile workspaces: it never descends into a symlinked folder, never reads a file
 * whose real path leaves the workspace folders, never reads more than `maxFileBytes`
 * of a file, lists at most `maxFiles` entries, and a file that vanishes or cannot be
 * read between listing and reading is simply absent.
 */
import * as path from 'node:path';
import { isBaseComposeFileName, parseCompose, type ComposeBuild, type ComposeFile } from './compose';
import {
  bakeUses,
  composeUses,
  parseBake,
  parseDevcontainer,
  parseWorkflow,
  sourceKindOf,
  type BakeFile,
  type SourceFile,
  type SourceKind,
  type TargetUse,
} from './sources';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface FileAccess {
  /** A folder's entries (symlinks reported as such, not followed); undefined when unreadable. */
  readDir(dir: string): readonly { readonly name: string; readonly type: EntryType }[] | undefined;
  /** The path with every symlink resolved; undefined when it does not exist. */
  realPath(p: string): string | undefined;
  /** At most `maxBytes` of the file as UTF-8; undefined when it is missing, not a file, or larger. */
  readFile(p: string, maxBytes: number): string | undefined;
}

export interface IndexLimits {
  /** Entries listed across all folders (files and folders). */
  readonly maxFiles: number;
  /** Bytes read of one file. */
  readonly maxFileBytes: number;
  /** Folder depth below a workspace folder. */
  readonly maxDepth: number;
}

export const DEFAULT_LIMITS: IndexLimits = { maxFiles: 50_000, maxFileBytes: 1_000_000, maxDepth: 12 };

/** Folders never searched. */
export const IGNORED_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'bower_components',
  'vendor',
  '.venv',
  'venv',
  '__pycache__',
  'target',
  'dist',
  'out',
  'build',
  '.cache',
  '.next',
  '.terraform',
  '.tox',
]);

const caseInsensitiveFs = process.platform === 'win32' || process.platform === 'darwin';
export function samePath(a: string, b: string): boolean {
  const x = path.resolve(a);
  const y = path.resolve(b);
  return caseInsensitiveFs ? x.toLowerCase() === y.toLowerCase() : x === y;
}
export function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
const key = (p: string) => (caseInsensitiveFs ? path.resolve(p).toLowerCase() : path.resolve(p));

interface Parsed {
  readonly kind: SourceKind;
  /** Text overridden by an open document. */
  readonly open: boolean;
  readonly source: SourceFile;
  readonly compose: ComposeFile | undefined;
  readonly bake: BakeFile | undefined;
}

export class WorkspaceIndex {
  private roots: string[] = [];
  private realRoots: string[] = [];
  /** Workspace files by path (key), with their text source. */
  private readonly files = new Map<string, { path: string; parsed: Parsed | undefined; direct?: boolean }>();
  private readonly openTexts = new Map<string, string>();
  private uses: TargetUse[] | undefined;
  private byDockerfile: Map<string, TargetUse[]> | undefined;
  /** The roots changed and the folders were not walked yet: the first read walks them. */
  private pending = false;
  /** Entries listed by the last scan, and whether it stopped at the bound. */
  listed = 0;
  truncated = false;

  constructor(
    private readonly fs: FileAccess,
    readonly limits: IndexLimits = DEFAULT_LIMITS,
  ) {}

  /**
   * The workspace folders; scans them, or with `{ scan: false }` only records them: the
   * folders are then walked by the first read of the index (or an explicit `scan()`), so
   * that a server can answer its first request before it has listed a large workspace.
   */
  setRoots(roots: readonly string[], options: { scan?: boolean } = {}): void {
    this.roots = roots.map((r) => path.resolve(r));
    this.realRoots = this.roots.map((r) => this.fs.realPath(r) ?? r);
    if (options.scan === false) {
      this.pending = true;
      this.invalidate();
    } else this.scan();
  }

  /** Have the folders been walked since the roots were last set? */
  get scanned(): boolean {
    return !this.pending;
  }

  private ensureScanned(): void {
    if (this.pending) this.scan();
  }

  getRoots(): readonly string[] {
    return this.roots;
  }

  /** Is `p` (after resolving symlinks) inside a workspace folder? */
  contains(p: string): boolean {
    const real = this.fs.realPath(p);
    if (real === undefined) return this.roots.some((r) => isInside(r, p));
    return this.realRoots.some((r) => isInside(r, real)) || this.roots.some((r) => isInside(r, real));
  }

  /** Walks the workspace folders again (bounded). */
  scan(): void {
    this.pending = false;
    const open = new Set(this.openTexts.keys());
    for (const k of [...this.files.keys()]) if (!open.has(k)) this.files.delete(k);
    this.listed = 0;
    this.truncated = false;
    for (const r of this.roots) this.walk(r, 0);
    this.invalidate();
  }

  private walk(dir: string, depth: number): void {
    if (depth > this.limits.maxDepth) return;
    const entries = this.fs.readDir(dir);
    if (!entries) return;
    for (const e of entries) {
      if (this.listed >= this.limits.maxFiles) {
        this.truncated = true;
        return;
      }
      this.listed++;
      const p = path.join(dir, e.name);
      if (e.type === 'dir') {
        if (IGNORED_DIRS.has(e.name) || (e.name.startsWith('.') && e.name !== '.devcontainer' && e.name !== '.github' && e.name !== 'workflows')) continue;
        this.walk(p, depth + 1);
      } else if ((e.type === 'file' || e.type === 'symlink') && sourceKindOf(p)) {
        // A symlinked file counts only when its target stays inside the workspace; symlinked folders are never entered.
        if (e.type === 'symlink' && !this.contains(p)) continue;
        // `direct`: reached through real folders only, so its real path is inside the workspace.
        if (!this.files.has(key(p))) this.files.set(key(p), { path: p, parsed: undefined, direct: e.type === 'file' });
      }
    }
  }

  /** A file was created, changed or deleted on disk (workspace/didChangeWatchedFiles). */
  fileChanged(p: string, deleted: boolean): void {
    const k = key(p);
    if (deleted && !this.openTexts.has(k)) this.files.delete(k);
    else if (sourceKindOf(p) && this.roots.some((r) => isInside(r, p)) && !this.ignoredPath(p)) this.files.set(k, { path: p, parsed: undefined });
    this.invalidate();
  }

  private ignoredPath(p: string): boolean {
    const r = this.roots.find((x) => isInside(x, p));
    if (!r) return true;
    return path
      .relative(r, p)
      .split(path.sep)
      .slice(0, -1)
      .some((d) => IGNORED_DIRS.has(d));
  }

  /** An open document's text replaces the file on disk (undefined: closed). */
  setOpenText(p: string, text: string | undefined): void {
    const k = key(p);
    if (!sourceKindOf(p)) return;
    if (text === undefined) {
      this.openTexts.delete(k);
      if (this.files.has(k)) this.files.set(k, { path: this.files.get(k)?.path ?? p, parsed: undefined });
    } else {
      if (this.openTexts.get(k) === text && this.files.get(k)?.parsed) return;
      this.openTexts.set(k, text);
      this.files.set(k, { path: p, parsed: undefined });
    }
    this.invalidate();
  }

  isIndexed(p: string): boolean {
    this.ensureScanned();
    return this.files.has(key(p));
  }

  private invalidate(): void {
    this.uses = undefined;
    this.byDockerfile = undefined;
  }

  private text(p: string, direct: boolean): string | undefined {
    const open = this.openTexts.get(key(p));
    if (open !== undefined) return open;
    if (!direct && !this.contains(p)) return undefined;
    return this.fs.readFile(p, this.limits.maxFileBytes);
  }

  private parsed(entry: { path: string; parsed: Parsed | undefined; direct?: boolean }): Parsed | undefined {
    if (entry.parsed) return entry.parsed;
    const p = entry.path;
    const kind = sourceKindOf(p);
    const text = kind ? this.text(p, entry.direct === true) : undefined;
    if (!kind || text === undefined) return undefined;
    let compose: ComposeFile | undefined;
    let bake: BakeFile | undefined;
    let source: SourceFile;
    try {
      if (kind === 'compose') {
        compose = parseCompose(text);
        source = { kind, file: p, uses: [], errors: [] };
      } else if (kind === 'bake') {
        bake = parseBake(p, text);
        source = { kind, file: p, uses: [], errors: bake.errors };
      } else if (kind === 'devcontainer') source = parseDevcontainer(p, text);
      else source = parseWorkflow(p, text);
    } catch {
      return undefined;
    }
    entry.parsed = { kind, open: this.openTexts.has(key(p)), source, compose, bake };
    return entry.parsed;
  }

  /** The parse of one workspace file (undefined when it is not one, or cannot be read). */
  source(p: string): SourceFile | undefined {
    this.ensureScanned();
    const e = this.files.get(key(p));
    return e ? this.parsed(e)?.source : undefined;
  }

  /** Every build declared in the workspace. */
  allUses(): readonly TargetUse[] {
    this.ensureScanned();
    if (this.uses) return this.uses;
    const out: TargetUse[] = [];
    const entries = [...this.files.values()];
    const composeByDir = new Map<string, { path: string; file: ComposeFile }[]>();
    const bakeByDir = new Map<string, BakeFile[]>();
    for (const e of entries) {
      const p = this.parsed(e);
      if (!p) continue;
      const dir = key(path.dirname(e.path));
      if (p.compose) composeByDir.set(dir, [...(composeByDir.get(dir) ?? []), { path: e.path, file: p.compose }]);
      else if (p.bake) bakeByDir.set(dir, [...(bakeByDir.get(dir) ?? []), p.bake]);
      else out.push(...p.source.uses);
    }
    for (const list of composeByDir.values()) {
      for (const c of list) {
        // An override file's service takes the base file's build keys it lacks.
        const baseOf = (service: string): ComposeBuild | undefined => {
          if (isBaseComposeFileName(path.basename(c.path))) return undefined;
          for (const b of list)
            if (b !== c && isBaseComposeFileName(path.basename(b.path))) {
              const s = b.file.services.find((x) => x.name === service)?.build;
              if (s) return s;
            }
          return undefined;
        };
        out.push(...composeUses(c.path, c.file, baseOf));
      }
    }
    for (const list of bakeByDir.values()) out.push(...bakeUses(list));
    this.uses = out;
    return out;
  }

  /** Builds declared in one file (Bake: the targets declared there, inheritance applied). */
  usesIn(p: string): TargetUse[] {
    return this.allUses().filter((u) => samePath(u.file, p) || (u.target && samePath(u.target.file, p)));
  }

  /** Builds whose Dockerfile is `dockerfile`. */
  usesOf(dockerfile: string): readonly TargetUse[] {
    if (!this.byDockerfile) {
      const m = new Map<string, TargetUse[]>();
      for (const u of this.allUses()) {
        if (u.paths.kind !== 'local') continue;
        const k = key(u.paths.dockerfile);
        m.set(k, [...(m.get(k) ?? []), u]);
      }
      this.byDockerfile = m;
    }
    return this.byDockerfile.get(key(dockerfile)) ?? [];
  }

  /** Paths of all indexed files. */
  indexedFiles(): string[] {
    this.ensureScanned();
    return [...this.files.values()].map((e) => e.path);
  }
}
