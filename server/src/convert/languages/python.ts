/**
 * Python: pip / poetry / pipenv / uv installs into a virtualenv that the runtime
 * (the slim variant of the builder) copies whole, with the application. Pure.
 */
import { isAlpine, osRuntime, slimVariant, type ImageRef } from '../images';
import { optionValue, positionals, type SimpleCommand } from '../shell';
import { commandsOf, plan, prog, resolveIn, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

const isPython = (t: string) => /^python(\d(\.\d+)?)?$/.test(t);
const PIP = (c: SimpleCommand) => {
  const t = prog(c);
  const w = c.words;
  if (/^pip(\d(\.\d+)?)?$/.test(t)) return w[1] === 'install';
  if (isPython(t)) return (w[1] === '-m' && w[2] === 'pip' && w[3] === 'install') || (w[1] === 'setup.py' && w[2] === 'install');
  if (t === 'uv') return w[1] === 'pip' && w[2] === 'install';
  return false;
};

function analyzePython(inp: LanguageInput): LanguagePlan {
  const fromOs = !['python', 'pypy'].includes(inp.base.name);
  const p = plan('python', () => (fromOs ? osRuntime(inp.base) : { image: slimVariant(inp.base, 'python'), shell: true, apt: !isAlpine(inp.base), passwd: true }), ['pip-compile'], ['python', 'python3', 'pip', 'pip3', 'pypy', 'pypy3']);
  if (fromOs) p.runtimePackages.push('python3');
  const versioned = /^(\d\.\d+)/.exec(inp.base.tag ?? '')?.[1];
  if (versioned) p.tools.add(`python${versioned}`);
  const venvs = commandsOf(inp.steps, (c) => (isPython(prog(c)) && c.words[1] === '-m' && c.words[2] === 'venv') || prog(c) === 'virtualenv' || (prog(c) === 'uv' && c.words[1] === 'venv'));
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
  const poetryInProject = poetry.length > 0 && inp.steps.some((s) => s.env.get('POETRY_VIRTUALENVS_IN_PROJECT') === 'true' || s.commands.some((c) => prog(c) === 'poetry' && c.words.join(' ').includes('virtualenvs.in-project true')));
  const poetrySystem = poetry.length > 0 && inp.steps.some((s) => s.env.get('POETRY_VIRTUALENVS_CREATE') === 'false' || s.commands.some((c) => prog(c) === 'poetry' && c.words.join(' ').includes('virtualenvs.create false')));
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
      p.todos.push('Poetry installs into a virtualenv in its cache directory: set POETRY_VIRTUALENVS_IN_PROJECT=true (the runtime copies the application directory with its .venv) or POETRY_VIRTUALENVS_CREATE=false.');
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
    if (!p.artifacts.some((a) => a.why.startsWith('the virtualenv'))) p.todos.push('The application is not in a directory of its own (no WORKDIR): copy its sources from the builder.');
  } else if (!p.artifacts.some((a) => appDir.startsWith(a.from))) {
    p.artifacts.unshift({ from: appDir.replace(/\/?$/, '/'), to: appDir.replace(/\/?$/, '/'), why: 'the application' });
  }
  return p;
}

export const python: LanguageModule = {
  id: 'python',
  name: 'Python',
  ofImage: (ref: ImageRef) => ref.name === 'python' || ref.name === 'pypy',
  isToolchainImage: (ref: ImageRef) => !/slim|alpine/.test(ref.tag ?? ''),
  buildsWith: (c: SimpleCommand) => PIP(c) || (prog(c) === 'poetry' && c.words[1] === 'install') || (prog(c) === 'pipenv' && c.words[1] === 'install'),
  systemLibs: 'mapped',
  sameFamilyUsers: true,
  analyse: analyzePython,
};
