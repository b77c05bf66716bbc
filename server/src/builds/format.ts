/** Image size and age for lens titles, and the parse of `<builder> image inspect`. Pure. */

/** Decimal units, as `docker image ls` prints them: 1.8 MB, 117 MB, 1.2 GB. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '? B';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  // 9.96 rounds up to 10.0: print it the way the next size would.
  const s = v < 9.95 ? v.toFixed(1).replace(/\.0$/, '') : String(Math.round(v));
  if (s === '1000' && u < units.length - 1) return `1 ${units[u + 1]}`;
  return `${s} ${units[u]}`;
}

export function formatAge(created: Date, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - created.getTime()) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(s / 3600);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(s / 86400);
  if (d < 31) return d === 1 ? '1 day ago' : `${d} days ago`;
  const mo = Math.round(d / 30.44);
  if (mo < 12) return mo === 1 ? '1 month ago' : `${mo} months ago`;
  const y = Math.round(d / 365.25);
  return y === 1 ? '1 year ago' : `${y} years ago`;
}

export interface ImageInfo {
  readonly id: string | undefined;
  readonly size: number | undefined;
  /** ISO time the image was created. */
  readonly created: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
}

function rec(x: unknown): Record<string, unknown> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

/** Parses `docker|podman|nerdctl image inspect` (an array) or `buildah inspect --type image` (an object). */
export function parseImageInspect(stdout: string): ImageInfo | undefined {
  let j: unknown;
  try {
    j = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const o = rec(Array.isArray(j) ? j[0] : j);
  if (!o) return undefined;
  const oci = rec(o['OCIv1']);
  const dockerCfg = rec(o['Docker']);
  const config = rec(o['Config']) ?? rec(oci?.['config']) ?? rec(dockerCfg?.['config']);
  const created = [o['Created'], oci?.['created'], dockerCfg?.['created']].find((c): c is string => typeof c === 'string');
  const size = [o['Size'], o['VirtualSize']].find((n): n is number => typeof n === 'number');
  const id = [o['Id'], o['FromImageID']].find((c): c is string => typeof c === 'string');
  const labels: Record<string, string> = {};
  const l = rec(config?.['Labels']);
  for (const [k, v] of Object.entries(l ?? {})) if (typeof v === 'string') labels[k] = v;
  return { id, size, created, labels };
}
