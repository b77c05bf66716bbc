/** The file system as the conversion sees a Dockerfile's build context (the CLI and the server share it). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { ContextIO } from '../convert/context';

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
