/**
 * C and C++: compiler, make and cmake builds; the program on distroless cc, or
 * scratch when every link is static. Pure.
 */
import { nativeRuntime, osRuntime, type ImageRef } from '../images';
import { optionValue, type SimpleCommand } from '../shell';
import { commandsOf, plan, prog, readContext, resolveIn, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

const CC = /^(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|gcc-\d+|g\+\+-\d+|clang-\d+|clang\+\+-\d+|musl-gcc)$/;

function analyzeC(inp: LanguageInput): LanguagePlan {
  let need: 'static' | 'glibc' = 'glibc';
  const native = inp.base.name !== 'ubuntu';
  const p = plan('c', (o) => (native ? nativeRuntime(inp.base, need, { ...o, distroless: need === 'glibc' || inp.distroless }) : osRuntime(inp.base)), [
    'make',
    'cmake',
    'gcc',
    'g++',
    'cc',
    'c++',
    'clang',
    'ninja',
    'meson',
  ]);
  const compiles = commandsOf(inp.steps, (c) => CC.test(prog(c)));
  let allStatic = compiles.length > 0;
  for (const { cmd } of compiles) {
    if (cmd.words.includes('-c') || cmd.words.includes('-E') || cmd.words.includes('-S')) continue;
    if (!cmd.words.includes('-static')) allStatic = false;
    const out = optionValue(cmd.words, ['-o'], 1, true) ?? 'a.out';
    if (/\.(o|a|so)$/.test(out)) continue;
    const path = resolveIn(cmd.cwd, out);
    if (path) p.artifacts.push({ from: path, to: path, why: `built by \`${prog(cmd)}\`` });
  }
  const makes = commandsOf(inp.steps, (c) => ['make', 'cmake', 'ninja', 'meson'].includes(prog(c)) || /(^|\/)configure$/.test(c.words[0] ?? ''));
  if (makes.length) allStatic = false;
  if (allStatic) need = 'static';
  if (commandsOf(inp.steps, (c) => (prog(c) === 'make' && c.words.includes('install')) || (prog(c) === 'cmake' && c.words.includes('--install'))).length) {
    const libs = sharedLibraries(inp);
    if (libs.length) {
      for (const l of libs)
        p.artifacts.push({
          from: `/usr/local/lib/lib${l}.so*`,
          to: '/usr/local/lib/',
          why: `the shared library ${l} the project builds`,
          comment: [`Added by the conversion: lib${l}.so, the project's shared library (add_library SHARED), installed beside the program.`],
        });
      p.runtimeEnv.push('# Added by the conversion: the loader finds the installed shared libraries.', 'ENV LD_LIBRARY_PATH=/usr/local/lib');
    } else p.notes.push('`make install` may also install shared libraries (/usr/local/lib): copy them too if the program needs them.');
    // A program the container runs by name was most likely installed into the default prefix.
    for (const words of inp.runtimeWords) {
      const program = words[0];
      if (program && !program.includes('/') && !p.toolchainCommands.has(program) && !/^(sh|bash|env|exec)$/.test(program)) {
        p.artifacts.push({ from: `/usr/local/bin/${program}`, to: `/usr/local/bin/${program}`, why: '`make install` (PREFIX=/usr/local)' });
        p.notes.push(`${program} is assumed to be installed in /usr/local/bin (the default PREFIX); the build fails if it is not.`);
      }
    }
  }
  return p;
}

/** Shared libraries a CMakeLists.txt builds (`add_library(name SHARED …)`), read from the context. */
function sharedLibraries(inp: LanguageInput): string[] {
  const out: string[] = [];
  for (const { cmd } of commandsOf(inp.steps, (x) => prog(x) === 'cmake')) {
    const src = optionValue(cmd.words, ['-S']) ?? '.';
    const dir = cmd.cwd === undefined ? undefined : resolveIn(cmd.cwd, src);
    const text = dir ? readContext(inp, `${dir.replace(/\/$/, '')}/CMakeLists.txt`) : undefined;
    for (const m of (text ?? '').matchAll(/add_library\s*\(\s*([A-Za-z0-9_.-]+)\s+SHARED\b/gi)) {
      const name = m[1] ?? '';
      if (!out.includes(name)) out.push(name);
    }
  }
  return out;
}

export const c: LanguageModule = {
  id: 'c',
  name: 'C/C++',
  ofImage: (ref: ImageRef) => ref.name === 'gcc',
  isToolchainImage: () => true,
  buildsWith: (cmd: SimpleCommand) =>
    CC.test(prog(cmd)) || ['make', 'cmake', 'ninja', 'meson'].includes(prog(cmd)) || /(^|\/)configure$/.test(cmd.words[0] ?? ''),
  osToolPackages: /^(build-essential|gcc|g\+\+|clang|make|cmake)/,
  systemLibs: 'mapped-or-todo',
  analyse: analyzeC,
};
