/**
 * Python: pip / poetry / pipenv / uv installs into a virtualenv that the runtime
 * (the slim variant of the builder) copies whole, with the application. Pure.
 */
import { isAlpine, osRuntime, slimVariant, type ImageRef } from '../images';
import { optionValue, positionals, type SimpleCommand } from '../shell';
import { base, commandsOf, plan, prog, resolveIn, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

const isPython = (t: string) => /^python(\d(\.\d+)?)?$/.test(t);
const PIP = (c: SimpleCommand) => {
  const t = prog(c);
  const w = c.words;
  if (/^pip(\d(\.\d+)?)?$/.test(t)) return w[1] === 'install';
  if (isPython(t)) return (w[1] === '-m' && w[2] === 'pip' && w[3] === 'install') || (w[1] === 'setup.py' && w[2] === 'install');
  if (t === 'uv') return w[1] === 'pip' && w[2] === 'install';
  return false;
};

const UV_SYNC = (c: SimpleCommand) => prog(c) === 'uv' && c.words[1] === 'sync';

/** The uv image (`ghcr.io/astral-sh/uv:python3.12-bookworm-slim`) → the official Python image of the same version and Debian: `python:3.12-slim-bookworm`. */
function uvRuntime(ref: ImageRef): string | undefined {
  const m = /^python(\d\.\d+)-(bookworm|bullseye|trixie)(-slim)?$/.exec(ref.tag ?? '');
  return m
    ? `python:${m[1]}-slim-${m[2]}`
    : /^python(\d\.\d+)-alpine/.test(ref.tag ?? '')
      ? `python:${/^python(\d\.\d+)/.exec(ref.tag ?? '')?.[1]}-alpine`
      : undefined;
}

/**
 * `uv sync` makes the project's virtualenv (`.venv`, or UV_PROJECT_ENVIRONMENT):
 * the runtime gets the application with it and runs its python; `uv run x.py`
 * becomes `python x.py` on that PATH (the runtime has no uv).
 */
function uvProject(inp: LanguageInput, p: LanguagePlan): void {
  const sync = commandsOf(inp.steps, UV_SYNC)[0];
  if (!sync?.cmd.cwd) return;
  const env = sync.cmd.env.get('UV_PROJECT_ENVIRONMENT') ?? inp.envAt('UV_PROJECT_ENVIRONMENT', sync.step);
  const venv = resolveIn(sync.cmd.cwd, env ?? '.venv') ?? `${sync.cmd.cwd}/.venv`;
  p.runtimeEnv.push(
    `# Added by the conversion: the project's virtualenv (made by \`uv sync\`) first on PATH.`,
    `ENV VIRTUAL_ENV=${venv} PATH="${venv}/bin:$PATH"`,
  );
  p.pathDirs.push(`${venv}/bin`);
  if (!sync.cmd.cwd.startsWith(venv) && !venv.startsWith(sync.cmd.cwd.replace(/\/?$/, '/')))
    p.artifacts.push({ from: `${venv}/`, to: `${venv}/`, why: 'the virtualenv of `uv sync`' });
  const step = [...inp.steps].reverse().find((s) => s.keyword === 'CMD' || s.keyword === 'ENTRYPOINT');
  const words = inp.runtimeWords[0];
  if (step && words && prog({ words, env: new Map(), cwd: undefined, text: '' }) === 'uv' && words[1] === 'run') {
    const rest = words.slice(2).filter((w, i, a) => !(w.startsWith('-') && i === 0) && !(i > 0 && a[i - 1] === '--with'));
    const line = rest[0]?.endsWith('.py') ? ['python', ...rest] : rest;
    if (line.length) {
      p.rewriteCommand = (s) =>
        s === step
          ? {
              comment: ['Rewritten by the conversion: the virtualenv is on PATH; the runtime has no uv. Was:'],
              line: `${s.keyword} ${JSON.stringify(line).replace(/","/g, '", "')}`,
              note: `${s.keyword} runs \`${line.join(' ')}\` from the virtualenv (was \`uv run\`).`,
            }
          : undefined;
    }
  }
}

/** Poetry: the dev group removed after the build (`--only main --sync`), and `poetry run x` runs x from the environment (the runtime has no poetry on PATH to rely on). */
function poetryProduction(inp: LanguageInput, p: LanguagePlan): void {
  const installs = commandsOf(inp.steps, (c) => prog(c) === 'poetry' && c.words[1] === 'install');
  const last = installs[installs.length - 1];
  if (!last) return;
  const prodOnly = installs.every(({ cmd }) => cmd.words.some((w) => /^--(only=?main|without|no-dev)/.test(w) || w === 'main'));
  if (!prodOnly) {
    const cd = last.cmd.cwd && last.cmd.cwd !== inp.finalWorkdir ? `cd ${last.cmd.cwd} && ` : '';
    p.insertions.push({
      before: inp.steps.length,
      lines: [
        '# Added by the conversion: production dependencies only (the dev group removed) in what the runtime copies.',
        `RUN ${cd}poetry install --no-interaction --no-ansi --only main --sync`,
      ],
    });
  }
  const step = [...inp.steps].reverse().find((s) => s.keyword === 'CMD' || s.keyword === 'ENTRYPOINT');
  const words = inp.runtimeWords[0];
  if (step && words && base(words[0] ?? '') === 'poetry' && words[1] === 'run' && words.length > 2) {
    const line = `${step.keyword} ${JSON.stringify(words.slice(2)).replace(/","/g, '", "')}`;
    p.rewriteCommand = (s) =>
      s === step
        ? {
            comment: ['Rewritten by the conversion: the environment is on PATH; no poetry needed to run. Was:'],
            line,
            note: `${s.keyword} runs ${words.slice(2).join(' ')} directly (was poetry run).`,
          }
        : undefined;
  }
}

function analyzePython(inp: LanguageInput): LanguagePlan {
  const fromOs = !['python', 'pypy', 'uv'].includes(inp.base.name);
  const uvImage = inp.base.name === 'uv' ? uvRuntime(inp.base) : undefined;
  const p = plan(
    'python',
    () => (fromOs ? osRuntime(inp.base) : { image: uvImage ?? slimVariant(inp.base, 'python'), shell: true, apt: !isAlpine(inp.base), passwd: true }),
    ['pip-compile', 'uv', 'uvx'],
    ['python', 'python3', 'pip', 'pip3', 'pypy', 'pypy3'],
  );
  if (inp.base.name === 'uv' && !uvImage)
    p.todos.push(`The uv image ${inp.base.raw} names no Python version: choose the python:<version>-slim image its virtualenv was made with.`);
  uvProject(inp, p);
  poetryProduction(inp, p);
  if (fromOs) p.runtimePackages.push('python3');
  const versioned = /^(\d\.\d+)/.exec(inp.base.tag ?? '')?.[1];
  if (versioned) p.tools.add(`python${versioned}`);
  const venvs = commandsOf(
    inp.steps,
    (c) => (isPython(prog(c)) && c.words[1] === '-m' && c.words[2] === 'venv') || prog(c) === 'virtualenv' || (prog(c) === 'uv' && c.words[1] === 'venv'),
  );
  const pips = commandsOf(inp.steps, PIP);
  const poetry = commandsOf(inp.steps, (c) => prog(c) === 'poetry' && c.words[1] === 'install');
  const pipenv = commandsOf(inp.steps, (c) => prog(c) === 'pipenv' && c.words[1] === 'install');
  const appDir = inp.finalWorkdir;
  for (const { cmd } of venvs) {
    const args = positionals(cmd.words, prog(cmd) === 'virtualenv' ? 1 : 2, new Set(['-p', '--python', '--prompt']));
    const target = args.find((a) => a !== 'venv');
    const dir = target ? resolveIn(cmd.cwd, target) : undefined;
    if (dir) {
      p.artifacts.push({ from: dir.replace(/\/?$/, '/'), to: dir.replace(/\/?$/, '/'), why: 'the virtualenv with the installed packages' });
      p.pathDirs.push(`${dir.replace(/\/$/, '')}/bin`);
    } else p.todos.push(`Could not tell where \`${cmd.text}\` creates the virtualenv.`);
  }
  const userInstall = pips.find(({ cmd }) => cmd.words.includes('--user'));
  const target = pips.map(({ cmd }) => ({ cmd, t: optionValue(cmd.words, ['--target', '-t', '--prefix', '--root']) })).find((x) => x.t);
  const poetryInProject =
    poetry.length > 0 &&
    inp.steps.some(
      (s) =>
        s.env.get('POETRY_VIRTUALENVS_IN_PROJECT') === 'true' ||
        s.commands.some((c) => prog(c) === 'poetry' && c.words.join(' ').includes('virtualenvs.in-project true')),
    );
  const poetrySystem =
    poetry.length > 0 &&
    inp.steps.some(
      (s) =>
        s.env.get('POETRY_VIRTUALENVS_CREATE') === 'false' ||
        s.commands.some((c) => prog(c) === 'poetry' && c.words.join(' ').includes('virtualenvs.create false')),
    );
  const pipenvSystem = pipenv.some(({ cmd }) => cmd.words.includes('--system'));
  if (venvs.length === 0) {
    if (userInstall) {
      const home = userInstall.step.user && !/^(root|0)(:|$)/.test(userInstall.step.user) ? `/home/${userInstall.step.user.split(':')[0]}` : '/root';
      p.artifacts.push({ from: `${home}/.local/`, to: `${home}/.local/`, why: 'packages installed with pip --user' });
      p.pathDirs.push(`${home}/.local/bin`);
      p.runtimeEnv.push(`ENV PATH="${home}/.local/bin:$PATH"`);
    } else if (target?.t) {
      const dir = resolveIn(target.cmd.cwd, target.t);
      if (dir) p.artifacts.push({ from: dir.replace(/\/?$/, '/'), to: dir.replace(/\/?$/, '/'), why: 'packages installed with pip --target/--prefix' });
    } else if (poetry.length && !poetrySystem && !poetryInProject) {
      p.todos.push(
        'Poetry installs into a virtualenv in its cache directory: set POETRY_VIRTUALENVS_IN_PROJECT=true (the runtime copies the application directory with its .venv) or POETRY_VIRTUALENVS_CREATE=false.',
      );
    } else if (pipenv.length && !pipenvSystem) {
      p.todos.push('pipenv installs into a virtualenv outside the application: use `pipenv install --system --deploy`.');
    } else if (pips.length || poetrySystem || pipenvSystem) {
      const first = Math.min(...[...pips, ...poetry, ...pipenv].map((x) => x.step.index));
      p.insertions.push({
        before: first,
        lines: [
          '# Added by the conversion: install into a virtualenv, which the runtime stage copies whole.',
          'RUN python3 -m venv /opt/venv',
          'ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"',
        ],
      });
      p.artifacts.push({ from: '/opt/venv/', to: '/opt/venv/', why: 'the virtualenv with the installed packages' });
      p.runtimeEnv.push('ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"');
      p.pathDirs.push('/opt/venv/bin');
    }
  }
  if (appDir === undefined || appDir === '/') {
    if (!p.artifacts.some((a) => a.why.startsWith('the virtualenv')))
      p.todos.push('The application is not in a directory of its own (no WORKDIR): copy its sources from the builder.');
  } else if (!p.artifacts.some((a) => appDir.startsWith(a.from))) {
    p.artifacts.unshift({ from: appDir.replace(/\/?$/, '/'), to: appDir.replace(/\/?$/, '/'), why: 'the application' });
  }
  return p;
}

export const python: LanguageModule = {
  id: 'python',
  name: 'Python',
  ofImage: (ref: ImageRef) => ref.name === 'python' || ref.name === 'pypy' || ref.path.toLowerCase() === 'astral-sh/uv',
  isToolchainImage: (ref: ImageRef) => ref.name === 'uv' || !/slim|alpine/.test(ref.tag ?? ''),
  // python:3.11-slim with uv copied in and `uv sync`: uv and its cache ship.
  buildsOnRuntimeImage: (steps) => steps.some((s) => s.commands.some(UV_SYNC)),
  buildsWith: (c: SimpleCommand) =>
    PIP(c) || UV_SYNC(c) || (prog(c) === 'poetry' && c.words[1] === 'install') || (prog(c) === 'pipenv' && c.words[1] === 'install'),
  systemLibs: 'mapped',
  sameFamilyUsers: true,
  analyse: analyzePython,
};
