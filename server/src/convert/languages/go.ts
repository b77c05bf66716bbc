/**
 * Go: `go build` / `go install` outputs (module name from go.mod), CGO_ENABLED=0 for a
 * static binary on scratch, CA certificates and tzdata when the code needs them. Pure.
 */
import { nativeRuntime, type ImageRef } from '../images';
import { optionValue, positionals, joinPath, type SimpleCommand } from '../shell';
import { contextPathOf } from '../steps';
import { base, commandsOf, plan, prog, readContext, resolveIn, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

const GO_VALUE_FLAGS = new Set(['-o', '-p', '-ldflags', '-gcflags', '-asmflags', '-tags', '-mod', '-modfile', '-buildmode', '-compiler', '-gccgoflags', '-installsuffix', '-overlay', '-pgo', '-pkgdir', '-toolexec', '-C', '-buildvcs', '-covermode', '-coverpkg']);

/** The module path declared by a go.mod text. */
export function goModulePath(gomod: string): string | undefined {
  return /^\s*module\s+("?)([^\s"]+)\1/m.exec(gomod)?.[2];
}

/** The name `go build` gives a package's binary: the import path's last element, skipping a /vN suffix. */
export function goBinaryName(importPath: string): string {
  const parts = importPath.split('/').filter(Boolean);
  const last = parts[parts.length - 1] ?? '';
  return /^v\d+$/.test(last) && parts.length > 1 ? (parts[parts.length - 2] as string) : last;
}

/** Do the context's Go files use cgo (`import "C"`)? undefined when they cannot be read. */
function goUsesCgo(inp: LanguageInput, dir: string): boolean | undefined {
  const ctxDir = contextPathOf(inp.copies, dir.replace(/\/$/, '') + '/go.mod')?.replace(/\/?go\.mod$/, '');
  if (ctxDir === undefined || !inp.context?.listFiles) return undefined;
  let seen = 0;
  const visit = (d: string, depth: number): boolean => {
    const names = inp.context?.listFiles?.(d);
    if (!names) return false;
    for (const n of names) {
      const p = d ? `${d}/${n.replace(/\/$/, '')}` : n.replace(/\/$/, '');
      if (n.endsWith('/')) {
        if (depth < 4 && !/^(vendor|testdata|\.git|node_modules)\/$/.test(n) && visit(p, depth + 1)) return true;
      } else if (n.endsWith('.go') && !n.endsWith('_test.go') && seen++ < 400) {
        const src = inp.context?.readFile?.(p) ?? '';
        if (/^\s*import\s+(\(\s*[^)]*?)?"C"/m.test(src)) return true;
      }
    }
    return false;
  };
  return visit(ctxDir, 0);
}

function goImports(inp: LanguageInput, dir: string, wanted: RegExp): boolean {
  const ctxDir = contextPathOf(inp.copies, dir.replace(/\/$/, '') + '/go.mod')?.replace(/\/?go\.mod$/, '');
  if (ctxDir === undefined || !inp.context?.listFiles) return false;
  const visit = (d: string, depth: number): boolean => {
    for (const n of inp.context?.listFiles?.(d) ?? []) {
      const p = d ? `${d}/${n.replace(/\/$/, '')}` : n.replace(/\/$/, '');
      if (n.endsWith('/')) {
        if (depth < 4 && !/^(vendor|testdata|\.git)\/$/.test(n) && visit(p, depth + 1)) return true;
      } else if (n.endsWith('.go') && wanted.test(inp.context?.readFile?.(p) ?? '')) return true;
    }
    return false;
  };
  return visit(ctxDir, 0);
}

function analyzeGo(inp: LanguageInput): LanguagePlan {
  let need: 'static' | 'glibc' = 'static';
  const p = plan('go', (o) => nativeRuntime(inp.base, need, { ...o, distroless: inp.distroless }), ['go', 'gofmt']);
  const builds = commandsOf(inp.steps, (c) => prog(c) === 'go' && (c.words[1] === 'build' || c.words[1] === 'install'));
  let cgoOff = true;
  let addCgoAt: number | undefined;
  let moduleDir: string | undefined;
  for (const { step, cmd } of builds) {
    const cgo = cmd.env.get('CGO_ENABLED') ?? inp.envAt('CGO_ENABLED', step);
    const ldflags = optionValue(cmd.words, ['-ldflags', '--ldflags'], 2) ?? '';
    const staticLink = /-extldflags[= ]+["']?[^"']*-static/.test(ldflags) || /netgo/.test(optionValue(cmd.words, ['-tags', '--tags'], 2) ?? '');
    if (cgo === '1' && !staticLink) {
      need = 'glibc';
      cgoOff = false;
    } else if (cgo === undefined && addCgoAt === undefined) addCgoAt = step.index;
    const cwd = cmd.cwd;
    moduleDir ??= cwd;
    const pkgs = positionals(cmd.words, 2, GO_VALUE_FLAGS);
    const out = optionValue(cmd.words, ['-o', '--o'], 2);
    const modName = (dir: string | undefined) => {
      const gomod = dir ? readContext(inp, dir.replace(/\/$/, '') + '/go.mod') : undefined;
      const mod = gomod ? goModulePath(gomod) : undefined;
      return mod ? goBinaryName(mod) : undefined;
    };
    const nameOf = (pkg: string | undefined): string | undefined => {
      if (pkg === undefined || pkg === '.' || pkg === './') return modName(cwd);
      if (pkg.endsWith('.go')) return base(pkg).replace(/\.go$/, '');
      if (pkg.includes('...')) return undefined;
      const at = pkg.split('@')[0] as string;
      return goBinaryName(at);
    };
    if (cmd.words[1] === 'build') {
      if (pkgs.some((x) => x.includes('...')) && !out) continue; // several packages: go build discards the results
      if (out) {
        const path = resolveIn(cwd, out);
        if (path === undefined) p.todos.push(`Could not tell where \`${cmd.text}\` writes its binary (the working directory is unknown).`);
        else {
          const dir = out.endsWith('/') || (pkgs.length > 1 && !pkgs.every((x) => x.endsWith('.go')));
          p.artifacts.push({ from: dir && !path.endsWith('/') ? path + '/' : path, to: dir && !path.endsWith('/') ? path + '/' : path, why: `built by \`go build\`` });
        }
      } else {
        const name = nameOf(pkgs.find((x) => !x.endsWith('.go')) ?? (pkgs[0]?.endsWith('.go') ? pkgs[0] : undefined));
        if (name && cwd) p.artifacts.push({ from: joinPath(cwd, name), to: joinPath(cwd, name), why: 'built by `go build`' });
        // Otherwise: the program the container runs names it (see convert.ts).
      }
    } else {
      const gobin = cmd.env.get('GOBIN') ?? inp.envAt('GOBIN', step);
      const gopath = cmd.env.get('GOPATH') ?? inp.envAt('GOPATH', step) ?? '/go';
      const dir = gobin ?? `${gopath.split(':')[0]}/bin`;
      const pkgList = pkgs.length ? pkgs : ['.'];
      for (const pkg of pkgList) {
        const name = nameOf(pkg);
        if (name) p.artifacts.push({ from: joinPath(dir, name), to: joinPath(dir, name), why: 'installed by `go install`' });
        else p.todos.push(`Could not tell the name of the binary \`${cmd.text}\` installs into ${dir}.`);
      }
    }
  }
  if (cgoOff && moduleDir && goUsesCgo(inp, moduleDir) === true) {
    need = 'glibc';
    cgoOff = false;
    addCgoAt = undefined;
    p.notes.push('The program uses cgo (import "C"): it runs on a glibc image.');
  }
  if (cgoOff && addCgoAt !== undefined) {
    p.insertions.push({
      before: addCgoAt,
      lines: [
        '# Added by the conversion: a static binary that runs without libc (in scratch).',
        '# Without it, a program that uses net or os/user links against glibc and fails to start there.',
        'ENV CGO_ENABLED=0',
      ],
      // A glibc runtime (a base with a shell) runs the cgo binary as it is.
      when: (rt) => rt.image === 'scratch' || rt.image.includes('distroless/static'),
    });
  }
  if (cgoOff && moduleDir && goImports(inp, moduleDir, /"(net\/http|crypto\/tls|crypto\/x509)"/)) {
    p.artifacts.push({ from: '/etc/ssl/certs/ca-certificates.crt', to: '/etc/ssl/certs/ca-certificates.crt', why: 'CA certificates for TLS (the program imports net/http or crypto/tls)' });
  }
  const first = builds.find((b) => b.cmd.words[1] === 'build');
  if (first) {
    const pkgs = positionals(first.cmd.words, 2, GO_VALUE_FLAGS).filter((x) => !x.includes('...'));
    p.devCommand = ['go', 'run', ...(pkgs.length ? pkgs : ['.'])];
  }
  return p;
}

export const go: LanguageModule = {
  id: 'go',
  name: 'Go',
  ofImage: (ref: ImageRef) => ref.name === 'golang',
  isToolchainImage: () => true,
  buildsWith: (c: SimpleCommand) => prog(c) === 'go' && (c.words[1] === 'build' || c.words[1] === 'install'),
  systemLibs: 'none',
  devWithArgs: (dev, args) => [...dev, ...args],
  analyse: analyzeGo,
};
