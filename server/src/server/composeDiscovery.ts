/**
 * Compose discovery: which Compose services build which Dockerfile, across files.
 * Reads open documents first, then the disk (stat-checked caches, so an unchanged
 * file is parsed once), merges an override file's service with the base file's
 * (compose.override.yaml over compose.yaml), and answers both directions: the
 * Dockerfiles a Compose file builds (`serviceBuilds`) and the Compose service that
 * builds a Dockerfile (`composeUseFor`). The only file-system reader of the server
 * besides nodeIO.ts; a new cross-file kind (e.g. docker-bake.hcl) gets its own
 * module beside this one, invalidated from sync.ts's watched-file table.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isBaseComposeFileName, isComposeFileName, parseCompose, resolveBuildPaths, type ComposeBuild, type ComposeFile } from '../workspace/compose';
import { buildModel, type StageModel } from '../model/model';
import { composeBuildInfo, type ServiceBuild } from '../features/compose';
import { DEFAULT_SETTINGS, type ComposeBuildInfo, type Settings } from '../protocol';
import { composeOf, modelOf, type DocumentStore } from './documents';
import { isInside, samePath } from './paths';

/** A file read from disk, kept while its mtime and size stay the same. */
interface DiskEntry<T> {
  mtimeMs: number;
  size: number;
  value: T;
}

function readCached<T>(cache: Map<string, DiskEntry<T>>, p: string, maxSize: number, parse: (text: string) => T, tooLarge: T): T {
  const st = statSync(p);
  if (!st.isFile()) throw Object.assign(new Error(`${p} is not a file`), { code: 'ENOTFILE' });
  const hit = cache.get(p);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.value;
  const value =
    st.size > maxSize * 4
      ? tooLarge
      : (() => {
          const text = readFileSync(p, 'utf8');
          return text.length > maxSize ? tooLarge : parse(text);
        })();
  cache.set(p, { mtimeMs: st.mtimeMs, size: st.size, value });
  return value;
}

function describeReadError(e: unknown, shown: string): string {
  const code = typeof e === 'object' && e !== null ? (e as Record<string, unknown>)['code'] : undefined;
  if (code === 'ENOENT') return `${shown} does not exist`;
  if (code === 'ENOTFILE' || code === 'EISDIR') return `${shown} is not a file`;
  return `cannot read ${shown} (${e instanceof Error ? e.message : String(e)})`;
}

/** Compose files in a folder, the base files (compose.yaml, docker-compose.yml) first, then by name (code units). */
function composeFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter(isComposeFileName);
  } catch {
    return [];
  }
  return names.sort((a, b) => Number(isBaseComposeFileName(b)) - Number(isBaseComposeFileName(a)) || byCodeUnits(a, b)).map((n) => path.join(dir, n));
}

/**
 * Not `localeCompare`: its first call in a process sets up ICU's collator, 15 ms here, and it was
 * the first code lens of every Dockerfile with a Compose file beside it that paid for it.
 */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class ComposeDiscovery {
  private readonly diskModels = new Map<string, DiskEntry<StageModel | string>>();
  private readonly diskComposes = new Map<string, DiskEntry<ComposeFile | undefined>>();
  /** The workspace folders (set at initialize): the upward search for Compose files stops there. */
  roots: string[] = [];
  /** Is a path inside the workspace folders (symlinks resolved)? A Compose context pointing outside them is not read. */
  contains: (p: string) => boolean = () => true;

  constructor(private readonly docs: DocumentStore) {}

  /** The model of a Dockerfile: its open document, else the file on disk. A string says why there is none. */
  dockerfileModelAt(p: string, settings: Settings, shown: string): { model: StageModel; uri: string } | string {
    const open = this.docs.openAt(p);
    if (open && open.kind === 'dockerfile') {
      const m = modelOf(open, settings);
      return m ? { model: m, uri: open.doc.uri } : `${shown} is larger than dockerStages.maxFileSize`;
    }
    try {
      const m = readCached<StageModel | string>(
        this.diskModels,
        p,
        settings.maxFileSize,
        (t) => buildModel(t),
        `${shown} is larger than dockerStages.maxFileSize`,
      );
      return typeof m === 'string' ? m : { model: m, uri: pathToFileURL(p).href };
    } catch (e) {
      return describeReadError(e, shown);
    }
  }

  /** A Compose file: its open document, else the file on disk; undefined when it cannot be read. */
  composeAt(p: string): ComposeFile | undefined {
    const open = this.docs.openAt(p);
    if (open) return open.kind === 'compose' ? composeOf(open) : undefined;
    try {
      return readCached<ComposeFile | undefined>(this.diskComposes, p, DEFAULT_SETTINGS.maxFileSize, parseCompose, undefined);
    } catch {
      return undefined;
    }
  }

  /** The same service's build in the file an override file extends (compose.yaml under compose.override.yaml). */
  private baseBuildOf(composePath: string, service: string): ComposeBuild | undefined {
    if (isBaseComposeFileName(path.basename(composePath))) return undefined;
    for (const f of composeFilesIn(path.dirname(composePath))) {
      if (!isBaseComposeFileName(path.basename(f)) || samePath(f, composePath)) continue;
      const b = this.composeAt(f)?.services.find((s) => s.name === service)?.build;
      if (b) return b;
    }
    return undefined;
  }

  /** The Dockerfile (model, or why it cannot be read) of each service of a Compose file that builds one. */
  serviceBuilds(composePath: string, file: ComposeFile, settings: Settings): Map<string, ServiceBuild> {
    const dir = path.dirname(composePath);
    const out = new Map<string, ServiceBuild>();
    for (const svc of file.services) {
      if (!svc.build) continue;
      const paths = resolveBuildPaths(dir, svc.build, this.baseBuildOf(composePath, svc.name));
      let model: StageModel | undefined;
      let error: string | undefined;
      let dockerfileUri: string | undefined;
      if (paths.kind === 'local') {
        const rel = path.relative(dir, paths.dockerfile);
        const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : paths.dockerfile;
        // A context pointing outside the workspace folders leaks nothing: that Dockerfile is not read.
        const r =
          this.roots.length > 0 && !this.contains(paths.dockerfile)
            ? `${shown} is outside the workspace folders`
            : this.dockerfileModelAt(paths.dockerfile, settings, shown);
        if (typeof r === 'string') {
          error = r;
          dockerfileUri = pathToFileURL(paths.dockerfile).href;
        } else {
          model = r.model;
          dockerfileUri = r.uri;
        }
      }
      out.set(svc.name, { service: svc, paths, dockerfileUri, model, error });
    }
    return out;
  }

  /**
   * A Compose service that builds the Dockerfile at `p`: searched in the Dockerfile's folder and the
   * folders above it, up to the workspace folder (three levels when there is none).
   */
  composeUseFor(p: string | undefined): ComposeBuildInfo | undefined {
    if (!p) return undefined;
    const roots = this.roots;
    let dir = path.dirname(p);
    for (let depth = 0; depth < 4; depth++) {
      for (const f of composeFilesIn(dir)) {
        const file = this.composeAt(f);
        for (const svc of file?.services ?? []) {
          if (!svc.build) continue;
          const paths = resolveBuildPaths(dir, svc.build, this.baseBuildOf(f, svc.name));
          if (paths.kind === 'local' && samePath(paths.dockerfile, p)) return composeBuildInfo(pathToFileURL(f).href, svc, paths.context);
        }
      }
      if (roots.some((r) => samePath(r, dir))) break;
      const parent = path.dirname(dir);
      if (parent === dir || (roots.length > 0 && !roots.some((r) => isInside(r, parent)))) break;
      dir = parent;
    }
    return undefined;
  }
}
