/**
 * The converter's languages, in order of preference: when a plain OS image
 * builds with several, the first one found wins (a compiled language over
 * make). Adding a language is one module under ./languages/ and one line here.
 */
import type { ImageRef } from './images';
import type { SimpleCommand } from './shell';
import { c } from './languages/c';
import { dotnet } from './languages/dotnet';
import { generic } from './languages/generic';
import { go } from './languages/go';
import { java } from './languages/java';
import { node } from './languages/node';
import { python } from './languages/python';
import { ruby } from './languages/ruby';
import { rust } from './languages/rust';
import type { Language, LanguageInput, LanguageModule, LanguagePlan } from './languages/types';

export type { Artifact, Insertion, Language, LanguageInput, LanguageModule, LanguagePlan } from './languages/types';

export const LANGUAGES: readonly LanguageModule[] = [go, rust, dotnet, java, node, python, ruby, c, generic];

const FALLBACK = LANGUAGES.find((l) => l.fallback) ?? generic;

/** The module of a language id (the fallback for an unknown id). */
export function languageModule(id: Language): LanguageModule {
  return LANGUAGES.find((l) => l.id === id) ?? FALLBACK;
}

export const languageName = (id: Language): string => languageModule(id).name;

/** The language a builder image is for, by its repository. */
export function languageOfImage(ref: ImageRef): Language | undefined {
  return LANGUAGES.find((l) => l.ofImage(ref))?.id;
}

/** Is the image the full toolchain (not a slim/alpine/JRE/runtime variant)? */
export function isToolchainImage(ref: ImageRef, language: Language): boolean {
  return languageModule(language).isToolchainImage(ref);
}

/** The language a build command belongs to, when it builds something. */
export function languageOfCommand(cmd: SimpleCommand): Language | undefined {
  return LANGUAGES.find((l) => l.buildsWith(cmd))?.id;
}

/** On a plain OS image: the first language (in registry order) among those found, else one an OS package names, else the fallback. */
export function preferredLanguage(found: readonly Language[], osPackages: readonly string[]): Language {
  const named = LANGUAGES.find((l) => !l.osToolPackages && found.includes(l.id));
  if (named) return named.id;
  const byPackage = LANGUAGES.find((l) => l.osToolPackages && (found.includes(l.id) || osPackages.some((p) => l.osToolPackages?.test(p) === true)));
  return (byPackage ?? FALLBACK).id;
}

export function analyzeLanguage(inp: LanguageInput): LanguagePlan {
  return languageModule(inp.language).analyse(inp);
}
