/**
 * Image tags: the `dockerStages.build.tag` template and its sanitising into a
 * valid image reference (distribution/reference grammar: lower-case path
 * components joined by `.`, `_`, `__` or dashes; a tag of [A-Za-z0-9_.-],
 * at most 128 characters, not starting with `.` or `-`).
 */

export const DEFAULT_TAG_TEMPLATE = '${folder}:${target}';

export interface TagVariables {
  /** The folder that holds the Dockerfile. */
  readonly folder: string;
  /** The target stage; `latest` for the default target. */
  readonly target: string;
  /** The Dockerfile's name (`Dockerfile`, `api.Dockerfile`). */
  readonly file: string;
  readonly workspaceFolder: string;
}

/** Replaces `${folder}`, `${target}`, `${file}`, `${workspaceFolder}`; unknown variables are left as they are (and sanitised away). */
export function expandTemplate(template: string, vars: TagVariables): string {
  return template.replace(/\$\{(\w+)\}/g, (m: string, name: string) => {
    switch (name) {
      case 'folder':
        return vars.folder;
      case 'target':
        return vars.target;
      case 'file':
        return vars.file;
      case 'workspaceFolder':
        return vars.workspaceFolder;
      default:
        return m;
    }
  });
}

function ascii(s: string): string {
  // café → cafe; what has no ASCII form becomes a separator.
  return s.normalize('NFKD').replace(/\p{M}+/gu, '');
}

function pathComponent(s: string): string {
  const lower = ascii(s)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-');
  // Separator runs: '.', '_', '__' or dashes; anything else collapses to one dash.
  const fixed = lower.replace(/[._-]+/g, (sep) => (sep === '.' || sep === '_' || sep === '__' || /^-+$/.test(sep) ? sep : '-'));
  return fixed.replace(/^[._-]+|[._-]+$/g, '');
}

function domain(s: string): string | undefined {
  const m = /^([A-Za-z0-9.-]+)(:\d+)?$/.exec(s);
  if (!m) return undefined;
  // Labels of letters, digits and inner dashes, joined by single dots.
  const host = (m[1] ?? '')
    .toLowerCase()
    .split('.')
    .map((l) => l.replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .join('.');
  return host ? host + (m[2] ?? '') : undefined;
}

/** A valid image reference (name:tag) made from any string. */
export function sanitiseImageReference(input: string): string {
  let s = input.trim().replace(/@.*$/, '');
  let tag = '';
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
  }
  const parts = s.split('/');
  const out: string[] = [];
  if (parts.length > 1) {
    const first = parts[0] ?? '';
    const d = /[.:]/.test(first) || first === 'localhost' ? domain(first) : undefined;
    if (d) {
      out.push(d);
      parts.shift();
    }
  }
  const hasDomain = out.length > 0;
  for (const p of parts) {
    const c = pathComponent(p);
    if (c) out.push(c);
  }
  if (out.length === (hasDomain ? 1 : 0)) out.push('image');
  let name = out.join('/');
  if (name.length > 255) name = name.slice(0, 255).replace(/[._/-]+$/, '');
  let t = ascii(tag)
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
  if (!t) t = 'latest';
  return `${name}:${t}`;
}
