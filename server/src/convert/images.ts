/**
 * Image references and the runtime base the conversion picks for a builder
 * image: the same family and version, minus the toolchain. Only images that
 * exist upstream with exactly these tags; never Alpine unless the builder was. Pure.
 */

export interface ImageRef {
  /** As written in FROM (may contain `$VAR`). */
  readonly raw: string;
  /** `docker.io`-less registry host, or undefined. */
  readonly registry: string | undefined;
  /** Repository path without registry, e.g. `library/golang` → `golang`, `dotnet/sdk`. */
  readonly path: string;
  /** Last path segment, lower-cased. */
  readonly name: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
  /** The repository as written, registry included, without tag and digest (`mirror.gcr.io/library/golang`). */
  readonly repo: string;
}

export function parseImage(raw: string): ImageRef {
  let rest = raw.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const repo = rest;
  const parts = rest.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '')) registry = parts.shift();
  if (registry === 'docker.io' || registry === 'index.docker.io') registry = undefined;
  if (parts[0] === 'library' && parts.length === 2) parts.shift();
  const path = parts.join('/');
  return { raw, registry, path, name: (parts[parts.length - 1] ?? '').toLowerCase(), tag, digest, repo: registry ? repo : path };
}

/**
 * An official image (`debian`, `node`, `eclipse-temurin`) from the registry the
 * builder comes from: a mirror of Docker Hub (`mirror.gcr.io/library/golang`)
 * serves the runtime image too, under the same prefix.
 */
export function fromSameRegistry(builder: ImageRef, official: string): string {
  if (!builder.registry) return official;
  const library = /(^|\/)library\//.test(builder.repo) ? 'library/' : '';
  const ownPath = builder.path.split('/');
  // An image under the builder's own namespace (`dotnet/aspnet` beside `dotnet/sdk`) keeps it.
  if (official.includes('/') && ownPath.length > 1) return `${builder.registry}/${official}`;
  return `${builder.registry}/${library}${official}`;
}

const CODENAMES: Readonly<Record<string, number>> = { buster: 10, bullseye: 11, bookworm: 12, trixie: 13 };
const UBUNTU = /\b(focal|jammy|noble|bionic)\b/;

/** The Debian release a builder image is based on, from its tag (12 when the tag does not say). */
export function debianRelease(tag: string | undefined): { version: number; codename: string } {
  for (const [codename, version] of Object.entries(CODENAMES)) if (tag && new RegExp(`\\b${codename}\\b`).test(tag)) return { version, codename };
  return { version: 12, codename: 'bookworm' };
}

export const isAlpine = (ref: ImageRef): boolean => ref.name === 'alpine' || /alpine/.test(ref.tag ?? '');
export const isSlimTag = (tag: string | undefined): boolean => /(^|-)slim(-|$)/.test(tag ?? '');

/** What kind of runtime the artifact needs. */
export type RuntimeNeed =
  /** A static binary: nothing but the kernel. */
  | 'static'
  /** A dynamically linked native binary: glibc (and libgcc/libstdc++). */
  | 'glibc'
  /** The language's interpreter or VM (node, python, JRE, .NET). */
  | 'interpreter';

export interface RuntimeChoice {
  readonly image: string;
  /** Has /bin/sh. */
  readonly shell: boolean;
  /** Debian-based with apt (runtime packages can be installed). */
  readonly apt: boolean;
  /** Has /etc/passwd with at least root, nobody (distroless: also nonroot). */
  readonly passwd: boolean;
  /** What the user should know about the choice (a digest pin that could not be kept, …): comment lines under the FROM. */
  readonly comment?: readonly string[];
}

/** Minimal images for native binaries. `distroless` chooses Google's distroless over scratch for static ones. */
export function nativeRuntime(builder: ImageRef, need: 'static' | 'glibc', opts: { shell: boolean; apt: boolean; distroless: boolean }): RuntimeChoice {
  if (isAlpine(builder) && (opts.shell || opts.apt || need !== 'static')) {
    const version = /alpine(\d+\.\d+)/.exec(builder.tag ?? '')?.[1];
    return { image: fromSameRegistry(builder, `alpine:${version ?? '3'}`), shell: true, apt: false, passwd: true };
  }
  const deb = debianRelease(builder.tag);
  if (opts.shell || opts.apt) return { image: fromSameRegistry(builder, `debian:${deb.codename}-slim`), shell: true, apt: true, passwd: true };
  if (need === 'static' && !opts.distroless) return { image: 'scratch', shell: false, apt: false, passwd: false };
  const flavour = need === 'static' ? 'static' : 'cc';
  return { image: `gcr.io/distroless/${flavour}-debian${Math.max(11, deb.version)}`, shell: false, apt: false, passwd: true };
}

/** `node:18` → `node:18-slim`; `python:3.11-bookworm` → `python:3.11-slim-bookworm`; Alpine and slim tags stay. */
export function slimVariant(builder: ImageRef, style: 'node' | 'python'): string {
  const repo = builder.repo;
  const tag = builder.tag;
  if (!tag || tag === 'latest') return `${repo}:slim`;
  // Already the small variant: the same image, digest pin included.
  if (isAlpine(builder) || isSlimTag(tag)) return `${repo}:${tag}${builder.digest ? `@${builder.digest}` : ''}`;
  const codename = /^(.*?)-(buster|bullseye|bookworm|trixie)$/.exec(tag);
  if (codename && style === 'python') return `${repo}:${codename[1]}-slim-${codename[2]}`;
  return `${repo}:${tag}-slim`;
}

/** The Java feature version a JDK/Maven/Gradle image provides, when its tag says. */
export function javaVersion(ref: ImageRef): string | undefined {
  const tag = ref.tag ?? '';
  const named = /(?:jdk|openjdk|temurin|java|corretto|zulu|semeru|sapmachine|graalvm|liberica|microsoft)-?(\d{1,2})\b/i.exec(tag);
  if (named) return named[1];
  if (/^(eclipse-temurin|openjdk|amazoncorretto|ibm-semeru-runtimes|sapmachine|azul\/zulu-openjdk)$/.test(ref.path) || ref.name === 'openjdk') {
    const lead = /^(\d{1,2})(?:[.\-_u]|$)/.exec(tag);
    if (lead) return lead[1];
  }
  return undefined;
}

/** `eclipse-temurin:<v>-jre`, keeping an Alpine or Ubuntu flavour of the builder. */
export function javaRuntime(builder: ImageRef): { image: string; guessed: boolean } {
  const v = javaVersion(builder);
  const tag = builder.tag ?? '';
  const flavour = isAlpine(builder) ? '-alpine' : UBUNTU.exec(tag)?.[0] ? `-${UBUNTU.exec(tag)?.[0]}` : '';
  return { image: fromSameRegistry(builder, `eclipse-temurin:${v ?? '21'}-jre${flavour}`), guessed: v === undefined };
}

/** `mcr.microsoft.com/dotnet/sdk:8.0` → `…/aspnet:8.0`, `…/runtime:8.0` or `…/runtime-deps:8.0`. */
export function dotnetRuntime(builder: ImageRef, kind: 'aspnet' | 'runtime' | 'runtime-deps'): string {
  const registry = builder.registry ?? 'mcr.microsoft.com';
  const path = builder.path.replace(/sdk$/, kind);
  return `${registry}/${path}${builder.tag ? `:${builder.tag}` : ''}`;
}

/** The same OS without its build packages: `debian:bookworm` → `debian:bookworm-slim`, `ubuntu:22.04` stays. */
export function osRuntime(builder: ImageRef): RuntimeChoice {
  const repo = builder.repo;
  const tag = builder.tag;
  if (builder.name === 'debian' && tag && !isSlimTag(tag)) return { image: `${repo}:${tag}-slim`, shell: true, apt: true, passwd: true };
  if (builder.name === 'buildpack-deps') {
    const deb = debianRelease(tag);
    if (!tag || /^(buster|bullseye|bookworm|trixie)(-|$)/.test(tag) || tag === 'latest')
      return { image: fromSameRegistry(builder, `debian:${deb.codename}-slim`), shell: true, apt: true, passwd: true };
    const u = /^(focal|jammy|noble|bionic)/.exec(tag);
    if (u) return { image: fromSameRegistry(builder, `ubuntu:${u[1]}`), shell: true, apt: true, passwd: true };
  }
  const apt = builder.name === 'debian' || builder.name === 'ubuntu';
  return { image: builder.raw, shell: true, apt, passwd: true };
}
