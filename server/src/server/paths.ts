/**
 * File-system paths of document URIs, as the server compares them: `file:` URIs
 * only (untitled and virtual documents have no path), case-insensitively where
 * the platform's file system is. Pure helpers, no state and no I/O.
 */
import { fileURLToPath } from 'node:url';
import { isComposeFileName } from '../workspace/compose';

/** The file-system path of a `file:` URI. */
export function fsPathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** One definition of path equality and containment (case-insensitive on Windows and macOS), shared with the workspace index. */
export { isInside, samePath } from '../workspace/index';

/** A Compose file (by language id, else by file name) rather than a Dockerfile. */
export function isComposeDocument(uri: string, languageId: string): boolean {
  if (languageId === 'dockercompose') return true;
  if (languageId === 'dockerfile') return false;
  const last = uri.split(/[/\\]/).pop() ?? '';
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // keep it encoded
  }
  return isComposeFileName(name);
}
