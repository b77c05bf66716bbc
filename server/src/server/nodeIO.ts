/** The file system as the conversion sees a Dockerfile's build context (the CLI and the server share it). */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import type { ContextIO } from '../convert/context';
import type { FileAccess } from '../workspace/index';

/** Small files (under 1 MB) and directory listings (folders end with `/`); anything unreadable is undefined. */
export const nodeContextIO: ContextIO = {
  readFile: (p) => {
    try {
      return statSync(p).size < 1_000_000 ? readFileSync(p, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  },
  readDir: (p) => {
    try {
      return readdirSync(p, { withFileTypes: true }).map((e) => (e.isDirectory() ? e.name + '/' : e.name));
    } catch {
      return undefined;
    }
  },
};

/** The workspace index's view of the disk: no symlink followed when listing, bounded reads. */
export const nodeFileAccess: FileAccess = {
  readDir: (dir) => {
    try {
      return readdirSync(dir, { withFileTypes: true }).map((e) => ({
        name: e.name,
        type: e.isSymbolicLink() ? 'symlink' : e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other',
      }));
    } catch {
      return undefined;
    }
  },
  realPath: (p) => {
    try {
      return realpathSync(p);
    } catch {
      return undefined;
    }
  },
  readFile: (p, maxBytes) => {
    // Read through one descriptor: the file may change or vanish between a stat and a read.
    let fd: number | undefined;
    try {
      fd = openSync(p, 'r');
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > maxBytes) return undefined;
      const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
      const n = readSync(fd, buf, 0, buf.length, 0);
      if (n > maxBytes) return undefined;
      return buf.subarray(0, n).toString('utf8');
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined)
        try {
          closeSync(fd);
        } catch {
          /* already closed */
        }
    }
  },
};
