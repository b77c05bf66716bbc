/**
 * Node.js: npm / yarn / pnpm installs and builds; the application directory with
 * production dependencies only, on the slim variant of the builder. Pure.
 */
import { isAlpine, osRuntime, slimVariant, type ImageRef } from '../images';
import type { SimpleCommand } from '../shell';
import type { Step } from '../steps';
import { commandsOf, plan, prog, readContext, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

const NODE_INSTALL = (c: SimpleCommand) => {
  const w = c.words;
  const t = prog(c);
  if (t === 'npm') return ['ci', 'install', 'i', 'add'].includes(w[1] ?? '') && !w.includes('-g') && !w.includes('--global');
  if (t === 'yarn') return (w.length === 1 || w[1] === 'install' || w[1] === '--frozen-lockfile' || w[1] === '--immutable') && !w.includes('global');
  if (t === 'pnpm') return ['install', 'i'].includes(w[1] ?? '') && !w.includes('-g');
  return false;
};
const NODE_BUILD = (c: SimpleCommand) => {
  const w = c.words;
  const t = prog(c);
  return ((t === 'npm' || t === 'pnpm') && w[1] === 'run') || (t === 'yarn' && w.length > 1 && !['install', 'add', 'global', 'cache', 'config'].includes(w[1] ?? '') && !(w[1] ?? '').startsWith('-')) || t === 'tsc' || (t === 'npx' && w.length > 1);
};

function analyzeNode(inp: LanguageInput): LanguagePlan {
  const fromOs = inp.base.name !== 'node';
  const p = plan('node', () => (fromOs ? osRuntime(inp.base) : { image: slimVariant(inp.base, 'node'), shell: true, apt: !isAlpine(inp.base), passwd: true }), ['tsc', 'ts-node', 'nodemon', 'webpack', 'vite', 'gulp', 'grunt'], ['node', 'nodejs', 'npm', 'npx', 'yarn', 'corepack']);
  if (fromOs) p.runtimePackages.push('nodejs');
  const installs = commandsOf(inp.steps, NODE_INSTALL);
  const builds = commandsOf(inp.steps, NODE_BUILD);
  const appDir = installs[0]?.cmd.cwd ?? builds[0]?.cmd.cwd ?? inp.finalWorkdir;
  if (appDir === undefined || appDir === '/') {
    p.todos.push('The application is not in a directory of its own (no WORKDIR): copy what it needs from the builder.');
    return p;
  }
  p.artifacts.push({ from: appDir.replace(/\/?$/, '/'), to: appDir.replace(/\/?$/, '/'), why: 'the application with its node_modules' });
  const production = (c: SimpleCommand, s: Step) =>
    c.words.some((w) => /^--(omit=dev|production|only=prod(uction)?)$/.test(w) || w === '--prod') || (c.env.get('NODE_ENV') ?? inp.envAt('NODE_ENV', s)) === 'production';
  const dev = installs.filter(({ cmd, step }) => !production(cmd, step));
  const pruned = commandsOf(inp.steps, (c) => ['npm', 'pnpm'].includes(prog(c)) && c.words[1] === 'prune').length > 0;
  if (dev.length && !pruned) {
    const tool = prog((dev[0] as { cmd: SimpleCommand }).cmd);
    const cd = inp.finalWorkdir === appDir ? '' : `cd ${appDir} && `;
    if (tool === 'npm') p.insertions.push({ before: inp.steps.length, lines: ['# Added by the conversion: production dependencies only in the runtime image.', `RUN ${cd}npm prune --omit=dev`] });
    else if (tool === 'pnpm') p.insertions.push({ before: inp.steps.length, lines: ['# Added by the conversion: production dependencies only in the runtime image.', `RUN ${cd}pnpm prune --prod`] });
    else p.notes.push('devDependencies are copied too: yarn cannot prune them without the network. Consider a second `yarn install --production` into another directory.');
  }
  const pkg = readContext(inp, `${appDir.replace(/\/$/, '')}/package.json`);
  const scripts = pkg ? safeScripts(pkg) : undefined;
  const runner = prog((installs[0] ?? builds[0])?.cmd ?? { words: ['npm'], env: new Map(), cwd: undefined, text: '' });
  const r = runner === 'yarn' ? 'yarn' : runner === 'pnpm' ? 'pnpm' : 'npm';
  if (scripts?.['dev']) p.devCommand = [r, 'run', 'dev'];
  else if (scripts?.['start']) p.devCommand = [r, 'start'];
  return p;
}

function safeScripts(pkgJson: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(pkgJson);
    if (typeof v === 'object' && v !== null && 'scripts' in v) {
      const s = (v as { scripts: unknown }).scripts;
      if (typeof s === 'object' && s !== null) return s as Record<string, unknown>;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export const node: LanguageModule = {
  id: 'node',
  name: 'Node.js',
  ofImage: (ref: ImageRef) => ref.name === 'node',
  isToolchainImage: (ref: ImageRef) => !/slim|alpine/.test(ref.tag ?? ''),
  buildsWith: (c: SimpleCommand) => NODE_INSTALL(c) || (NODE_BUILD(c) && prog(c) !== 'npx'),
  systemLibs: 'mapped',
  sameFamilyUsers: true,
  analyse: analyzeNode,
};
