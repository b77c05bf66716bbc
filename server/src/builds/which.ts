/** Finds an executable on PATH (or checks a path), the way a shell would, without running a shell. */
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

function isExecutable(p: string, platform: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    if (platform !== 'win32') accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `name` on `envPath` (PATHEXT extensions on Windows); a name with a path separator is
 * resolved against `cwd` instead. Undefined when nothing executable is there.
 */
export function which(
  name: string,
  envPath: string,
  cwd: string,
  platform: string = process.platform,
  pathExt = process.env['PATHEXT'] ?? '.EXE;.CMD;.BAT;.COM',
): string | undefined {
  const exts = platform === 'win32' ? ['', ...pathExt.split(';').filter(Boolean)] : [''];
  if (name.includes('/') || (platform === 'win32' && name.includes('\\'))) {
    const p = path.resolve(cwd, name);
    return exts.map((e) => p + e).find((c) => isExecutable(c, platform));
  }
  for (const dir of envPath.split(platform === 'win32' ? ';' : ':')) {
    if (!dir) continue;
    for (const e of exts) {
      const c = path.join(dir, name + e);
      if (isExecutable(c, platform)) return c;
    }
  }
  return undefined;
}
