/**
 * The fallback: a native build on a plain OS image that no other language
 * claims. The runtime is the same OS without its build packages. Pure.
 */
import { osRuntime, type ImageRef } from '../images';
import { plan, type LanguageModule } from './types';

export const generic: LanguageModule = {
  id: 'generic',
  name: 'native',
  ofImage: (_ref: ImageRef) => false,
  isToolchainImage: () => true,
  buildsWith: () => false,
  fallback: true,
  systemLibs: 'mapped-or-todo',
  analyse: (inp) => plan('generic', () => osRuntime(inp.base), ['make', 'cmake', 'gcc', 'g++', 'cc']),
};
