/**
 * Rust: `cargo build` / `cargo install` binaries (names from Cargo.toml), on
 * distroless cc (glibc) or scratch (musl). Pure.
 */
import { isAlpine, nativeRuntime, type ImageRef } from '../images';
import { joinPath, optionValue, positionals, type SimpleCommand } from '../shell';
import { base, commandsOf, plan, prog, readContext, resolveIn, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

/** Binary names a Cargo.toml declares: [[bin]] names, else the package name. */
export function cargoBinaries(toml: string): string[] {
  const bins: string[] = [];
  let section = '';
  let pkgName: string | undefined;
  let autobins = true;
  for (const line of toml.split(/\r?\n/)) {
    const t = line.trim();
    const sec = /^\[\[?([^\]]+)\]\]?/.exec(t);
    if (sec) {
      section = (sec[1] ?? '').trim();
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(t);
    if (!kv) continue;
    const value = (kv[2] ?? '').trim().replace(/^"(.*)".*$/, '$1');
    if (section === 'package' && kv[1] === 'name') pkgName = value;
    if (section === 'package' && kv[1] === 'autobins' && value === 'false') autobins = false;
    if (section === 'bin' && kv[1] === 'name') bins.push(value);
  }
  if (bins.length === 0 && pkgName && autobins) bins.push(pkgName);
  return bins;
}

/** Binaries of well-known crates whose names differ from the crate's (from their Cargo.toml [[bin]] sections). */
const KNOWN_CRATE_BINS: Readonly<Record<string, readonly string[]>> = {
  diesel_cli: ['diesel'],
  'sqlx-cli': ['sqlx', 'cargo-sqlx'],
  ripgrep: ['rg'],
  'fd-find': ['fd'],
  'du-dust': ['dust'],
  bottom: ['btm'],
  tealdeer: ['tldr'],
  'git-delta': ['delta'],
  'sea-orm-cli': ['sea-orm-cli'],
  'wasm-bindgen-cli': ['wasm-bindgen'],
};

/** `CMD cargo run [--release] [--bin x] [-- args]`: the binary `cargo build` made, run directly. */
function cargoRunRewrite(inp: LanguageInput, p: LanguagePlan): void {
  const step = [...inp.steps].reverse().find((s) => s.keyword === 'CMD' || s.keyword === 'ENTRYPOINT');
  const words = inp.runtimeWords[0];
  if (!step || !words || base(words[0] ?? '') !== 'cargo' || words[1] !== 'run') return;
  const dash = words.indexOf('--');
  const opts = dash < 0 ? words.slice(2) : words.slice(2, dash);
  const args = dash < 0 ? [] : words.slice(dash + 1);
  const profile = opts.includes('--release') || opts.includes('-r') ? 'release' : 'debug';
  const bin = optionValue(opts, ['--bin']);
  const art = p.artifacts.find((a) => a.from.includes(`/${profile}/`) && (bin === undefined || base(a.from) === bin));
  if (!art || (bin === undefined && p.artifacts.filter((a) => a.from.includes(`/${profile}/`)).length > 1)) return;
  const line = JSON.stringify([art.to, ...args]).replace(/","/g, '", "');
  p.rewriteCommand = (s) =>
    s === step
      ? {
          comment: ['Rewritten by the conversion: run the binary `cargo build` made (the runtime has no cargo). Was:'],
          line: `${s.keyword} ${line}`,
          note: `${s.keyword} runs ${art.to} instead of \`cargo run\`.`,
        }
      : undefined;
}

function analyzeRust(inp: LanguageInput): LanguagePlan {
  let need: 'static' | 'glibc' = isAlpine(inp.base) ? 'static' : 'glibc';
  const p = plan('rust', (o) => nativeRuntime(inp.base, need, { ...o, distroless: need === 'glibc' || inp.distroless }), ['cargo', 'rustc', 'rustup']);
  for (const { step, cmd } of commandsOf(inp.steps, (c) => prog(c) === 'cargo' && (c.words[1] === 'build' || c.words[1] === 'install'))) {
    const w = cmd.words;
    const bins = w.flatMap((x, i) => (x === '--bin' && w[i + 1] ? [w[i + 1] ?? ''] : x.startsWith('--bin=') ? [x.slice(6)] : []));
    const triple = optionValue(w, ['--target']);
    if (triple && /musl/.test(triple)) need = 'static';
    if (w[1] === 'build') {
      const profile = w.includes('--release') || w.includes('-r') ? 'release' : (optionValue(w, ['--profile']) ?? 'debug');
      const dirName = profile === 'dev' || profile === 'test' ? 'debug' : profile === 'bench' ? 'release' : profile;
      const targetDir = optionValue(w, ['--target-dir']) ?? cmd.env.get('CARGO_TARGET_DIR') ?? inp.envAt('CARGO_TARGET_DIR', step) ?? 'target';
      const manifest = optionValue(w, ['--manifest-path']);
      const root = manifest ? resolveIn(cmd.cwd, manifest.replace(/\/?Cargo\.toml$/, '') || '.') : cmd.cwd;
      const tdir = resolveIn(root, targetDir);
      if (!tdir) {
        p.todos.push(`Could not tell where \`${cmd.text}\` writes (the working directory is unknown).`);
        continue;
      }
      const out = joinPath(tdir, triple ? `${triple}/${dirName}` : dirName);
      const toml = root ? readContext(inp, `${root.replace(/\/$/, '')}/Cargo.toml`) : undefined;
      const names = bins.length ? bins : toml ? cargoBinaries(toml) : [];
      for (const n of names) p.artifacts.push({ from: `${out}/${n}`, to: `${out}/${n}`, why: '`cargo build` output' });
      if (!names.length) p.notes.push(`cargo builds into ${out}/ (the binary's name comes from Cargo.toml).`);
      p.devCommand = ['cargo', 'run', ...(w.includes('--release') ? ['--release'] : []), ...(bins[0] ? ['--bin', bins[0]] : [])];
    } else {
      const rootOpt = optionValue(w, ['--root']);
      const home =
        cmd.env.get('CARGO_INSTALL_ROOT') ??
        inp.envAt('CARGO_INSTALL_ROOT', step) ??
        cmd.env.get('CARGO_HOME') ??
        inp.envAt('CARGO_HOME', step) ??
        '/usr/local/cargo';
      const dir = `${resolveIn(cmd.cwd, rootOpt ?? home) ?? home}/bin`;
      const path = optionValue(w, ['--path']);
      const toml = path ? readContext(inp, `${resolveIn(cmd.cwd, path) ?? ''}/Cargo.toml`) : undefined;
      const crates = positionals(
        w,
        2,
        new Set([
          '--root',
          '--path',
          '--bin',
          '--target',
          '--version',
          '--git',
          '--branch',
          '--tag',
          '--rev',
          '--profile',
          '--features',
          '-j',
          '--jobs',
          '--target-dir',
          '--index',
          '--registry',
        ]),
      );
      const names = bins.length
        ? bins
        : toml
          ? cargoBinaries(toml)
          : crates.flatMap((c) => {
              const known = KNOWN_CRATE_BINS[c];
              if (known) return known;
              // A crate from a registry: its [[bin]] names are not in the context. The container naming the crate's name settles it.
              if (inp.runtimeWords.some((w) => base(w[0] ?? '') === c)) return [c];
              p.todos.push(
                `\`cargo install ${c}\`: the binary names of this crate are not in the build context; copy ${dir}/<binary> for the ones the image needs.`,
              );
              return [];
            });
      for (const n of names) p.artifacts.push({ from: `${dir}/${n}`, to: `${dir}/${n}`, why: 'installed by `cargo install`' });
    }
  }
  cargoRunRewrite(inp, p);
  // The container runs target/<profile>/<name>, but Cargo.toml builds other binaries: that path is never produced.
  for (const words of inp.runtimeWords) {
    const exe = words[0] ?? '';
    const m = /(^|\/)target\/(release|debug)\/([^/]+)$/.exec(exe);
    const built = p.artifacts.filter((a) => a.from.includes('/target/')).map((a) => base(a.from));
    if (m && built.length && !built.includes(m[3] ?? '')) {
      const path = exe.startsWith('/') ? exe : resolveIn(inp.finalWorkdir, exe);
      if (path) (p.notProduced ??= []).push(path);
      p.todos.push(
        `The container runs ${exe}, but Cargo.toml builds ${built.join(', ')}: ${m[3]} is never produced (the original image fails the same way). Run the binary the build makes.`,
      );
    }
  }
  return p;
}

export const rust: LanguageModule = {
  id: 'rust',
  name: 'Rust',
  ofImage: (ref: ImageRef) => ref.name === 'rust',
  isToolchainImage: () => true,
  buildsWith: (c: SimpleCommand) => prog(c) === 'cargo' && (c.words[1] === 'build' || c.words[1] === 'install'),
  systemLibs: 'mapped-or-todo',
  devWithArgs: (dev, args) => [...dev, '--', ...args],
  analyse: analyzeRust,
};
