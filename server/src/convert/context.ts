/**
 * The build context as the converter reads it: the folder `docker build`
 * sends, minus what `.dockerignore` excludes, read through injected I/O
 * (the converter never touches the file system itself). Reads are cached and
 * bounded (entries listed, files read, bytes read), so a huge or unreadable
 * context costs little and is reported in plain words instead of throwing.
 */
import type { ConvertContext } from './steps';

/** The I/O a context needs: absolute paths in, text or directory entries (dirs end with `/`) out. */
export interface ContextIO {
  readFile(absPath: string): string | undefined;
  readDir(absPath: string): readonly string[] | undefined;
}

export interface ContextLimits {
  /** Directory entries listed in all (default 20,000). */
  readonly entries: number;
  /** Files read (default 600). */
  readonly files: number;
  /** Bytes read in all (default 8 MB). */
  readonly bytes: number;
}

export const DEFAULT_LIMITS: ContextLimits = { entries: 20_000, files: 600, bytes: 8_000_000 };

/** A `.dockerignore` matcher (BuildKit's patternmatcher: `*`, `?`, `**`, `!` exceptions, the last match wins, parents count). */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules: { re: RegExp; exclude: boolean }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const exclude = !line.startsWith('!');
    if (!exclude) line = line.slice(1).trim();
    line = line.replace(/^\/+/, '').replace(/\/+$/, '').replace(/^\.\//, '');
    if (line === '' || line === '.') continue;
    let re = '';
    for (let i = 0; i < line.length; i++) {
      const ch = line[i] ?? '';
      if (ch === '*' && line[i + 1] === '*') {
        // `**/` matches any number of directories (none too); a trailing `**` matches everything below.
        if (line[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else if (ch === '*') re += '[^/]*';
      else if (ch === '?') re += '[^/]';
      else if (ch === '\\' && i + 1 < line.length) re += (line[++i] ?? '').replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
      else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    try {
      rules.push({ re: new RegExp(`^${re}$`), exclude });
    } catch {
      // An unreadable pattern: BuildKit rejects the build; here it matches nothing.
    }
  }
  if (!rules.length) return () => false;
  // The last rule matching the path or any parent decides; memoised per path, so a child costs one pass over the rules.
  const last = new Map<string, number>();
  const lastOf = (path: string): number => {
    const known = last.get(path);
    if (known !== undefined) return known;
    const cut = path.lastIndexOf('/');
    let idx = cut > 0 ? lastOf(path.slice(0, cut)) : -1;
    for (let i = rules.length - 1; i > idx; i--) {
      if (rules[i]?.re.test(path)) {
        idx = i;
        break;
      }
    }
    last.set(path, idx);
    return idx;
  };
  return (path: string) => {
    const idx = lastOf(path.split('/').filter(Boolean).join('/'));
    return idx >= 0 && rules[idx]?.exclude === true;
  };
}

/** A ConvertContext over a directory: cached, bounded, `.dockerignore` applied, paths that leave the directory refused. */
export function contextForDirectory(dir: string, io: ContextIO, limits: ContextLimits = DEFAULT_LIMITS): ConvertContext {
  const files = new Map<string, string | undefined>();
  const dirs = new Map<string, readonly string[] | undefined>();
  let entries = 0;
  let reads = 0;
  let bytes = 0;
  let truncated: string | undefined;
  const safe = (p: string) => !p.split('/').includes('..') && !p.startsWith('/');
  const abs = (p: string) => (p ? `${dir}/${p}` : dir);
  const guard = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  const rootList = guard(() => io.readDir(dir));
  const unreadable = rootList === undefined ? `the build context ${dir} could not be read: the conversion decides from the Dockerfile alone` : undefined;
  const ignoreText = rootList?.includes('.dockerignore') ? guard(() => io.readFile(`${dir}/.dockerignore`)) : undefined;
  const ignored = dockerignoreMatcher(ignoreText ?? '');
  const readFile = (p: string): string | undefined => {
    const key = p.replace(/^\.\//, '').replace(/\/+$/, '');
    if (files.has(key)) return files.get(key);
    if (!safe(key) || unreadable || (key !== '.dockerignore' && ignored(key))) return undefined;
    if (reads >= limits.files || bytes >= limits.bytes) {
      truncated ??= `the build context is large: only ${reads} files (${Math.round(bytes / 1000)} kB) were read`;
      return undefined;
    }
    reads++;
    const text = guard(() => io.readFile(abs(key)));
    bytes += text?.length ?? 0;
    files.set(key, text);
    return text;
  };
  const listFiles = (p: string): readonly string[] | undefined => {
    const key = p.replace(/^\.\//, '').replace(/\/+$/, '');
    if (dirs.has(key)) return dirs.get(key);
    if (!safe(key) || unreadable || (key !== '' && ignored(key))) return undefined;
    if (entries >= limits.entries) {
      truncated ??= `the build context is large: only ${entries} entries were listed`;
      return undefined;
    }
    const list = key === '' ? rootList : guard(() => io.readDir(abs(key)));
    const kept = list?.filter((n) => !ignored(key ? `${key}/${n}` : n));
    entries += kept?.length ?? 0;
    dirs.set(key, kept);
    return kept;
  };
  return { readFile, listFiles, problem: () => unreadable ?? truncated };
}
