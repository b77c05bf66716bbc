/**
 * Ruby: `bundle install` on the full ruby image (compilers for native gems);
 * the runtime is the slim variant of the same version with the installed
 * gems (BUNDLE_PATH, /usr/local/bundle by default) and the application. Pure.
 */
import { isAlpine, slimVariant, type ImageRef } from '../images';
import type { SimpleCommand } from '../shell';
import { commandsOf, plan, prog, resolveIn, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

const BUNDLE_INSTALL = (c: SimpleCommand) => prog(c) === 'bundle' && (c.words[1] === 'install' || c.words.length === 1);

function analyzeRuby(inp: LanguageInput): LanguagePlan {
  const p = plan(
    'ruby',
    () => ({ image: slimVariant(inp.base, 'python'), shell: true, apt: !isAlpine(inp.base), passwd: true }),
    ['gem', 'rake-compiler'],
    ['ruby', 'bundle', 'bundler', 'rake', 'rails', 'puma', 'rackup', 'irb'],
  );
  const install = commandsOf(inp.steps, BUNDLE_INSTALL)[0];
  const env = install ? (install.cmd.env.get('BUNDLE_PATH') ?? inp.envAt('BUNDLE_PATH', install.step) ?? inp.envAt('GEM_HOME', install.step)) : undefined;
  const gems = resolveIn(install?.cmd.cwd, env ?? '/usr/local/bundle') ?? '/usr/local/bundle';
  p.artifacts.push({ from: `${gems.replace(/\/$/, '')}/`, to: `${gems.replace(/\/$/, '')}/`, why: 'the installed gems' });
  const appDir = inp.finalWorkdir;
  if (appDir === undefined || appDir === '/') p.todos.push('The application is not in a directory of its own (no WORKDIR): copy its sources from the builder.');
  else if (!gems.startsWith(appDir)) p.artifacts.push({ from: appDir.replace(/\/?$/, '/'), to: appDir.replace(/\/?$/, '/'), why: 'the application' });
  p.pathDirs.push(`${gems.replace(/\/$/, '')}/bin`);
  return p;
}

export const ruby: LanguageModule = {
  id: 'ruby',
  name: 'Ruby',
  ofImage: (ref: ImageRef) => ref.name === 'ruby',
  isToolchainImage: (ref: ImageRef) => !/slim|alpine/.test(ref.tag ?? ''),
  buildsWith: BUNDLE_INSTALL,
  systemLibs: 'mapped',
  sameFamilyUsers: true,
  analyse: analyzeRuby,
};
