/**
 * Node.js: npm / yarn / pnpm installs and builds (TypeScript, bundlers,
 * static front ends); the application directory with production
 * dependencies only, on the slim variant of the builder (Alpine stays
 * Alpine). package.json from the context says which scripts the container
 * runs: a development server or a devDependency at run time is a TODO or
 * keeps the devDependencies, never a command the runtime cannot run. Pure.
 */
import { fromSameRegistry, isAlpine, osRuntime, slimVariant, type ImageRef } from '../images';
import { simpleCommands, type SimpleCommand } from '../shell';
import { contextPathOf, copiedFromContext, type Step } from '../steps';
import { base, commandsOf, plan, prog, readContext, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

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
  return (
    ((t === 'npm' || t === 'pnpm') && w[1] === 'run') ||
    (t === 'pnpm' && /^(build|compile|tsc)$/.test(w[1] ?? '')) ||
    (t === 'yarn' && w.length > 1 && !['install', 'add', 'global', 'cache', 'config'].includes(w[1] ?? '') && !(w[1] ?? '').startsWith('-')) ||
    t === 'tsc' ||
    (t === 'npx' && w.length > 1)
  );
};
const GLOBAL_INSTALL = (c: SimpleCommand) =>
  (prog(c) === 'npm' && ['install', 'i', 'add'].includes(c.words[1] ?? '') && (c.words.includes('-g') || c.words.includes('--global'))) ||
  (prog(c) === 'yarn' && c.words[1] === 'global' && c.words[2] === 'add');

/** Programs that serve a development build (hot reload), never what production runs. */
const DEV_SERVERS: readonly [RegExp, string][] = [
  [/^vite(\s+(dev|serve)\b|\s*$|\s+--)/, 'the Vite development server'],
  [/^react-scripts\s+start\b/, 'the Create React App development server'],
  [/^next\s+dev\b/, 'the Next.js development server'],
  [/^nuxt\s+dev\b/, 'the Nuxt development server'],
  [/^(nodemon|ts-node-dev)\b/, 'a file watcher'],
  [/^webpack(-dev-server|\s+serve)\b/, 'the webpack development server'],
  [/^ng\s+serve\b/, 'the Angular development server'],
  [/^vue-cli-service\s+serve\b/, 'the Vue CLI development server'],
];

interface PackageJson {
  readonly scripts: Record<string, string>;
  readonly deps: ReadonlySet<string>;
  readonly devDeps: ReadonlySet<string>;
  readonly packageManager: string | undefined;
}

export function parsePackageJson(text: string): PackageJson | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return undefined;
    const o = v as Record<string, unknown>;
    const rec = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {});
    const scripts: Record<string, string> = {};
    for (const [k, s] of Object.entries(rec(o['scripts']))) if (typeof s === 'string') scripts[k] = s;
    return {
      scripts,
      deps: new Set(Object.keys(rec(o['dependencies']))),
      devDeps: new Set(Object.keys(rec(o['devDependencies']))),
      packageManager: typeof o['packageManager'] === 'string' ? o['packageManager'] : undefined,
    };
  } catch {
    return undefined;
  }
}

/** The script a runtime command runs (`npm start`, `npm run serve`, `yarn start`, `pnpm run x`), by name. */
function scriptRun(words: readonly string[]): string | undefined {
  const t = base(words[0] ?? '');
  if (t === 'npm' || t === 'pnpm') {
    if (words[1] === 'start') return 'start';
    if ((words[1] === 'run' || words[1] === 'run-script') && words[2]) return words[2];
  }
  if (t === 'yarn' && words[1] && !words[1].startsWith('-')) return words[1] === 'run' ? words[2] : words[1];
  return undefined;
}

/** The program a script starts (`NODE_ENV=x cross-env A=1 vite --host` → `vite --host`). */
function scriptProgram(script: string): string {
  const first = simpleCommands(script, undefined)[0]?.words ?? [];
  let i = 0;
  while (i < first.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first[i] ?? '') || first[i] === 'cross-env' || first[i] === 'npx' || first[i] === 'dotenv')) i++;
  return first.slice(i).join(' ');
}

interface RunCheck {
  /** The runtime runs a development server: a TODO. */
  devServer?: string;
  /** The runtime runs a devDependency: they stay. */
  usesDevDep?: string;
}

function checkRunScripts(inp: LanguageInput, pkg: PackageJson | undefined): RunCheck {
  const out: RunCheck = {};
  for (const words of inp.runtimeWords) {
    const name = scriptRun(words);
    const cmdline = name !== undefined ? scriptProgram(pkg?.scripts[name] ?? '') : words.join(' ');
    const dev = DEV_SERVERS.find(([re]) => re.test(cmdline));
    if (dev) out.devServer = `${words.join(' ')}${name !== undefined ? ` → ${cmdline}` : ''} (${dev[1]})`;
    const program = cmdline.split(' ')[0] ?? '';
    if (pkg && program && pkg.devDeps.has(program) && !pkg.deps.has(program)) out.usesDevDep = program;
  }
  return out;
}

/** Production dependencies only: `npm prune --omit=dev` and the yarn / pnpm equivalents, after the build. */
function pruneDevDependencies(inp: LanguageInput, p: LanguagePlan, appDir: string, tool: string, pkg: PackageJson | undefined): void {
  const cd = inp.finalWorkdir === appDir ? '' : `cd ${appDir} && `;
  const lead = '# Added by the conversion: production dependencies only in the runtime image (the build is done).';
  if (tool === 'npm') p.insertions.push({ before: inp.steps.length, lines: [lead, `RUN ${cd}npm prune --omit=dev`] });
  else if (tool === 'pnpm') p.insertions.push({ before: inp.steps.length, lines: [lead, `RUN ${cd}pnpm prune --prod`] });
  else if (/^yarn@[2-9]/.test(pkg?.packageManager ?? '') || readContext(inp, `${appDir.replace(/\/$/, '')}/.yarnrc.yml`) !== undefined) {
    p.notes.push('devDependencies are copied too: Yarn 2+ prunes them only with the workspace-tools plugin (`yarn workspaces focus --production`).');
  } else p.insertions.push({ before: inp.steps.length, lines: [lead, `RUN ${cd}yarn install --production --frozen-lockfile --prefer-offline`] });
}

function analyzeNode(inp: LanguageInput): LanguagePlan {
  const fromOs = inp.base.name !== 'node';
  const p = plan(
    'node',
    () => (fromOs ? osRuntime(inp.base) : { image: slimVariant(inp.base, 'node'), shell: true, apt: !isAlpine(inp.base), passwd: true }),
    ['tsc', 'ts-node', 'nodemon', 'webpack', 'vite', 'gulp', 'grunt'],
    ['node', 'nodejs', 'npm', 'npx', 'yarn', 'corepack'],
  );
  if (fromOs) p.runtimePackages.push('nodejs');
  const installs = commandsOf(inp.steps, NODE_INSTALL);
  const builds = commandsOf(inp.steps, NODE_BUILD);
  const appDir = installs[0]?.cmd.cwd ?? builds[0]?.cmd.cwd ?? inp.finalWorkdir;
  if (appDir === undefined || appDir === '/') {
    p.todos.push('The application is not in a directory of its own (no WORKDIR): copy what it needs from the builder.');
    return p;
  }
  const pkgText = readContext(inp, `${appDir.replace(/\/$/, '')}/package.json`);
  const pkg = pkgText ? parsePackageJson(pkgText) : undefined;
  const run = checkRunScripts(inp, pkg);
  if (run.devServer)
    p.todos.push(
      `The container runs a development server: ${run.devServer}. Production serves the build output instead (\`vite preview\`, \`serve -s dist\`, or \`node\` on the built server).`,
    );
  // A static site served by a globally installed server (`npm i -g serve` + `serve -s build`): the build output and the server only.
  if (vitePreviewToNginx(inp, p, appDir) || nextStandalone(inp, p, appDir, pkg)) return p;
  const globals = commandsOf(inp.steps, GLOBAL_INSTALL);
  const staticSite = staticServe(
    inp,
    globals.map((g) => g.cmd),
    appDir,
  );
  if (staticSite) {
    p.artifacts.push({
      from: staticSite.dir,
      to: staticSite.dir,
      why: 'the built site',
      comment: [`Added by the conversion: the built site only; ${staticSite.server} serves it.`],
    });
    p.runtimeSetup.push(`# Added by the conversion: ${staticSite.server}, installed as in the builder.`, `RUN ${staticSite.install}`);
    p.tools.add(staticSite.server);
    return p;
  }
  startRewrite(inp, p, pkg);
  const targeted = builds.length || commandsOf(inp.steps, (c) => prog(c) === 'npx').length ? runtimeEntries(inp, appDir, pkg) : undefined;
  if (targeted) {
    for (const e of targeted) {
      const path = `${appDir.replace(/\/$/, '')}/${e}`;
      p.artifacts.push({ from: path, to: path, why: e === 'node_modules/' ? 'production dependencies' : 'the built application' });
    }
    p.notes.push(`The runtime gets ${targeted.join(', ')}: build inputs (sources, TypeScript and bundler configuration) stay in the builder.`);
  } else p.artifacts.push({ from: appDir.replace(/\/?$/, '/'), to: appDir.replace(/\/?$/, '/'), why: 'the application with its node_modules' });
  const production = (c: SimpleCommand, s: Step) =>
    c.words.some((w) => /^--(omit=dev|production|only=prod(uction)?)$/.test(w) || w === '--prod') ||
    (c.env.get('NODE_ENV') ?? inp.envAt('NODE_ENV', s)) === 'production';
  const dev = installs.filter(({ cmd, step }) => !production(cmd, step));
  const pruned = commandsOf(inp.steps, (c) => ['npm', 'pnpm'].includes(prog(c)) && c.words[1] === 'prune').length > 0;
  if (run.usesDevDep || run.devServer) {
    if (dev.length) p.notes.push(`devDependencies stay: the container runs ${run.usesDevDep ?? 'a development server'}, which is one.`);
  } else if (dev[0] && !pruned) pruneDevDependencies(inp, p, appDir, prog(dev[0].cmd), pkg);
  for (const g of globals) {
    const names = g.cmd.words.slice(2).filter((w) => !w.startsWith('-') && w !== 'add');
    if (inp.runtimeWords.some((w) => names.some((n) => n.replace(/@[^/]*$/, '') === base(w[0] ?? '')))) {
      p.runtimeSetup.push('# Added by the conversion: the global tool the container runs, installed as in the builder.', `RUN ${g.cmd.words.join(' ')}`);
      for (const n of names)
        p.tools.add(
          n
            .replace(/@[^/]*$/, '')
            .split('/')
            .pop() ?? n,
        );
    }
  }
  const runner = prog((installs[0] ?? builds[0])?.cmd ?? { words: ['npm'], env: new Map(), cwd: undefined, text: '' });
  const r = runner === 'yarn' ? 'yarn' : runner === 'pnpm' ? 'pnpm' : 'npm';
  if (pkg?.scripts['dev']) p.devCommand = [r, 'run', 'dev'];
  else if (pkg?.scripts['start']) p.devCommand = [r, 'start'];
  return p;
}

/** Build inputs: sources a build consumes, configuration of compilers, bundlers, linters and tests. */
const BUILD_INPUT =
  /^(src\/|test\/|tests\/|__tests__\/|\.git\/|\.github\/|\.vscode\/|\.husky\/|node_modules\/|tsconfig[^/]*\.json|jsconfig\.json|(vite|vitest|webpack|rollup|babel|jest|postcss|tailwind|svelte|esbuild)\.config\.[cm]?[jt]s|\.babelrc.*|\.eslintrc.*|eslint\.config\.[cm]?js|\.prettierrc.*|\.editorconfig|\.npmrc|\.nvmrc|\.dockerignore|\.gitignore|Dockerfile.*|docker-compose.*|compose\.ya?ml|[^/]*\.md|LICENSE.*|package-lock\.json|yarn\.lock|pnpm-lock\.yaml|npm-shrinkwrap\.json|scripts\/)$/;

/** The build's output directories: tsconfig's outDir, the directory of the file the container runs, the usual dist/ and build/. */
function outputDirs(inp: LanguageInput, appDir: string, pkg: PackageJson | undefined): Set<string> {
  const out = new Set<string>();
  if (pkg?.deps.has('next') || pkg?.devDeps.has('next')) out.add('.next');
  const tsconfig = readContext(inp, `${appDir.replace(/\/$/, '')}/tsconfig.json`);
  const outDir = tsconfig ? /"outDir"\s*:\s*"\.?\/?([^"/]+)/.exec(tsconfig)?.[1] : undefined;
  if (outDir) out.add(outDir);
  for (const words of inp.runtimeWords) {
    const file = (base(words[0] ?? '') === 'node' ? words.slice(1).find((w) => !w.startsWith('-')) : undefined) ?? startScriptDir(pkg?.scripts['start']);
    const dir = file?.replace(/^\.\//, '').split('/')[0];
    if (dir && file.includes('/')) out.add(dir);
  }
  return out;
}

/**
 * What the runtime needs of a built Node application: package.json, the
 * (pruned) node_modules, the build output, and every other top-level entry
 * the image got from the context that is not a build input (public/, views/,
 * config/). undefined when the context cannot be read: then the whole
 * application directory is copied.
 */
function runtimeEntries(inp: LanguageInput, appDir: string, pkg: PackageJson | undefined): string[] | undefined {
  const ctxDir = contextPathOf(inp.copies, `${appDir.replace(/\/$/, '')}/package.json`)?.replace(/\/?package\.json$/, '');
  const top = ctxDir === undefined ? undefined : inp.context?.listFiles?.(ctxDir);
  if (!top || !pkg) return undefined;
  const outputs = outputDirs(inp, appDir, pkg);
  if (!outputs.size) return undefined;
  const runsSources = inp.runtimeWords.some((w) => w.some((x) => /^(\.\/)?src\//.test(x)));
  // node_modules only exists when there are dependencies (npm ci creates none for an empty list).
  const entries = new Set<string>(['package.json', ...(pkg.deps.size ? ['node_modules/'] : []), ...[...outputs].map((o) => `${o}/`)]);
  for (const e of top) {
    if (BUILD_INPUT.test(e) && !(e === 'src/' && runsSources)) continue;
    if (copiedFromContext(inp.copies, `${appDir.replace(/\/$/, '')}/${e.replace(/\/$/, '')}`)) entries.add(e);
  }
  return [...entries];
}

/** `npm start` whose script is `node <file>` (after build steps like `tsc`): the runtime runs node itself (no npm as PID 1, none needed in the image). */
function startRewrite(inp: LanguageInput, p: LanguagePlan, pkg: PackageJson | undefined): void {
  const step = [...inp.steps].reverse().find((s) => s.keyword === 'CMD' || s.keyword === 'ENTRYPOINT');
  const words = inp.runtimeWords[0];
  if (!step || !words || inp.runtimeWords.length !== 1 || !pkg) return;
  const name = scriptRun(words);
  const script = name !== undefined ? pkg.scripts[name] : undefined;
  if (!script || /[$`|<>;]/.test(script) || words.length > (words[1] === 'start' ? 2 : 3)) return;
  const cmds = simpleCommands(script, undefined);
  const last = cmds[cmds.length - 1];
  const before = cmds.slice(0, -1);
  if (
    !last ||
    base(last.words[0] ?? '') !== 'node' ||
    last.env.size ||
    !before.every((c) => /^(tsc|npm|pnpm|yarn)$/.test(base(c.words[0] ?? '')) && (base(c.words[0] ?? '') === 'tsc' || c.words.includes('build')))
  )
    return;
  const exec = JSON.stringify(last.words).replace(/","/g, '", "');
  p.rewriteCommand = (s) =>
    s === step
      ? {
          comment: [
            `Rewritten by the conversion: the \`${name}\` script (${script}) runs node on the built code${before.length ? '; the build already ran in the builder' : ''}. Was:`,
          ],
          line: `${s.keyword} ${exec}`,
          note: `${s.keyword} runs \`${last.words.join(' ')}\` (the ${name} script) directly.`,
        }
      : undefined;
}

/** Next.js with `output: 'standalone'`: the server bundle with its own node_modules subset, the static assets and public/, run by `node server.js`. */
function nextStandalone(inp: LanguageInput, p: LanguagePlan, appDir: string, pkg: PackageJson | undefined): boolean {
  if (!pkg?.deps.has('next')) return false;
  const dir = appDir.replace(/\/$/, '');
  const config = ['next.config.js', 'next.config.mjs', 'next.config.ts'].map((f) => readContext(inp, `${dir}/${f}`)).find((x) => x !== undefined);
  if (!config || !/output\s*:\s*['"]standalone['"]/.test(config)) return false;
  const step = [...inp.steps].reverse().find((s) => s.keyword === 'CMD' || s.keyword === 'ENTRYPOINT');
  p.artifacts.push(
    {
      from: `${dir}/.next/standalone/`,
      to: `${dir}/`,
      why: 'the standalone server',
      comment: ["Added by the conversion: Next.js output 'standalone': the server with the modules it uses, its static assets and public/."],
    },
    { from: `${dir}/.next/static/`, to: `${dir}/.next/static/`, why: 'static assets' },
  );
  if (copiedFromContext(inp.copies, `${dir}/public`)) p.artifacts.push({ from: `${dir}/public/`, to: `${dir}/public/`, why: 'public files' });
  if (step && inp.runtimeWords.length === 1 && scriptRun(inp.runtimeWords[0] ?? []) !== undefined) {
    p.rewriteCommand = (s) =>
      s === step
        ? {
            comment: ['Rewritten by the conversion: the standalone build runs with node server.js. Was:'],
            line: `${s.keyword} ["node", "server.js"]`,
            note: `${s.keyword} runs node server.js (the standalone server).`,
          }
        : undefined;
  }
  return true;
}

/**
 * `vite preview` serves the static build with a devDependency: production serves
 * dist/ with nginx (from the builder's registry), on its port 80.
 */
function vitePreviewToNginx(inp: LanguageInput, p: LanguagePlan, appDir: string): boolean {
  const step = [...inp.steps].reverse().find((s) => s.keyword === 'CMD' || s.keyword === 'ENTRYPOINT');
  const words = inp.runtimeWords[0];
  if (!step || !words || inp.runtimeWords.length !== 1) return false;
  const i = base(words[0] ?? '') === 'npx' ? 1 : 0;
  if (words[i] !== 'vite' || words[i + 1] !== 'preview') return false;
  const config = ['vite.config.ts', 'vite.config.js', 'vite.config.mjs']
    .map((f) => readContext(inp, `${appDir.replace(/\/$/, '')}/${f}`))
    .find((x) => x !== undefined);
  const outDir = (config ? /outDir\s*:\s*['"]\.?\/?([^'"]+)['"]/.exec(config)?.[1] : undefined) ?? 'dist';
  const nginx = fromSameRegistry(inp.base, 'nginx:alpine');
  p.choose = () => ({ image: nginx, shell: true, apt: false, passwd: true });
  p.artifacts.push({
    from: `${appDir.replace(/\/$/, '')}/${outDir}/`,
    to: '/usr/share/nginx/html/',
    why: 'the built site',
    comment: [`Added by the conversion: the static build (${outDir}/) served by nginx; \`vite preview\` is a preview server that needs devDependencies.`],
  });
  p.tools.add('nginx');
  const expose = inp.steps.find((s) => s.keyword === 'EXPOSE');
  p.rewriteCommand = (s) => {
    if (s === step)
      return {
        comment: ['Rewritten by the conversion: nginx serves the build. Was:'],
        line: `${s.keyword} ["nginx", "-g", "daemon off;"]`,
        note: `${s.keyword} runs nginx on the built site (was vite preview).`,
      };
    if (s === expose)
      return { comment: ['Rewritten by the conversion: nginx listens on port 80. Was:'], line: 'EXPOSE 80', note: 'EXPOSE 80: the port nginx listens on.' };
    return undefined;
  };
  return true;
}

/** `serve -s build` / `http-server dist` with the server installed globally: the directory it serves and how to install it again. */
function staticServe(inp: LanguageInput, globals: readonly SimpleCommand[], appDir: string): { dir: string; server: string; install: string } | undefined {
  const words = inp.runtimeWords[0];
  if (!words || inp.runtimeWords.length !== 1) return undefined;
  const server = base(words[0] ?? '');
  if (server !== 'serve' && server !== 'http-server') return undefined;
  const install = globals.find((g) => g.words.some((w) => w.replace(/@[^/]*$/, '') === server));
  if (!install) return undefined;
  const dir = words.slice(1).find((w) => !w.startsWith('-') && !/^\d+$/.test(w));
  if (!dir || dir.includes('$') || dir.startsWith('/')) return undefined;
  const wd = inp.finalWorkdir ?? appDir;
  return { dir: `${wd.replace(/\/$/, '')}/${dir.replace(/^\.\//, '').replace(/\/$/, '')}/`, server, install: install.words.join(' ') };
}

export const node: LanguageModule = {
  id: 'node',
  name: 'Node.js',
  ofImage: (ref: ImageRef) => ref.name === 'node',
  isToolchainImage: (ref: ImageRef) => !/slim|alpine/.test(ref.tag ?? ''),
  buildsWith: (c: SimpleCommand) => NODE_INSTALL(c) || (NODE_BUILD(c) && prog(c) !== 'npx'),
  // node:18-alpine / -slim that runs `npm run build` or `tsc`: the build tools and devDependencies ship.
  buildsOnRuntimeImage: (steps) =>
    steps.some((s) =>
      s.commands.some(
        (c) => (NODE_BUILD(c) && prog(c) !== 'npx') || (prog(c) === 'npx' && /^(tsc|vite|webpack|next|esbuild|rollup|parcel)$/.test(c.words[1] ?? '')),
      ),
    ),
  systemLibs: 'mapped',
  sameFamilyUsers: true,
  analyse: analyzeNode,
};

/** `node dist/server.js` in the start script → `dist/` (the folder the runtime must carry). */
function startScriptDir(start: string | undefined): string | undefined {
  if (!start) return undefined;
  const dir = /\bnode\s+(?:-\S+\s+)*\.?\/?([^\s/]+)\//.exec(start)?.[1];
  return dir === undefined ? undefined : `${dir}/`;
}
