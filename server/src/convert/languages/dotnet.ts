/**
 * .NET: `dotnet publish` output on aspnet (web projects), runtime (console) or
 * runtime-deps (self-contained). Pure.
 */
import { dotnetRuntime, isAlpine, type ImageRef } from '../images';
import { optionValue, type SimpleCommand } from '../shell';
import { contextPathOf } from '../steps';
import { base, commandsOf, plan, prog, readContext, resolveIn, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

/** The project `dotnet publish` builds: the one it names, else the only *.csproj/*.fsproj in its directory (read from the context). */
function projectFile(inp: LanguageInput, cmd: SimpleCommand): string | undefined {
  if (cmd.cwd === undefined) return undefined;
  const named = cmd.words.slice(2).find((w) => /\.(cs|fs|vb)proj$/.test(w));
  if (named) return readContext(inp, resolveIn(cmd.cwd, named) ?? '');
  const dir = contextPathOf(inp.copies, `${cmd.cwd.replace(/\/$/, '')}/x.csproj`)?.replace(/\/?x\.csproj$/, '');
  const list = dir === undefined ? undefined : inp.context?.listFiles?.(dir);
  const projects = (list ?? []).filter((n) => /\.(cs|fs|vb)proj$/.test(n));
  return projects.length === 1 ? inp.context?.readFile?.(dir ? `${dir}/${projects[0]}` : (projects[0] ?? '')) : undefined;
}

function analyzeDotnet(inp: LanguageInput): LanguagePlan {
  let kind: 'aspnet' | 'runtime' | 'runtime-deps' = 'runtime';
  const p = plan(
    'dotnet',
    () => ({ image: dotnetRuntime(inp.base, kind), shell: true, apt: !isAlpine(inp.base), passwd: true }),
    ['msbuild', 'nuget'],
    ['dotnet'],
  );
  p.toolchainRun = (words) => base(words[0] ?? '') === 'dotnet' && (words[1] === 'run' || words[1] === 'watch');
  const publishes = commandsOf(inp.steps, (c) => prog(c) === 'dotnet' && c.words[1] === 'publish');
  for (const { cmd } of publishes) {
    const out = optionValue(cmd.words, ['-o', '--output']);
    const selfContained =
      (cmd.words.includes('--self-contained') && optionValue(cmd.words, ['--self-contained']) !== 'false') ||
      cmd.words.includes('-r') ||
      cmd.words.some((w) => w.startsWith('--runtime'));
    const proj = projectFile(inp, cmd);
    const projSelfContained = proj !== undefined && /<(Publish)?SelfContained>\s*true\s*</i.test(proj);
    if ((selfContained || projSelfContained) && !cmd.words.includes('--no-self-contained') && !/--self-contained[= ]false/.test(cmd.words.join(' ')))
      kind = 'runtime-deps';
    const dir = out ? resolveIn(cmd.cwd, out) : undefined;
    if (dir) p.artifacts.push({ from: dir.replace(/\/?$/, '/'), to: dir.replace(/\/?$/, '/'), why: 'the output of `dotnet publish`' });
  }
  // `dotnet run` is the toolchain; `dotnet app.dll` needs the dll's whole directory.
  for (const words of inp.runtimeWords) {
    if (base(words[0] ?? '') !== 'dotnet') continue;
    if (words[1] === 'run' || words[1] === 'watch') continue;
    const dll = words.find((w) => w.endsWith('.dll'));
    if (dll && !p.artifacts.length) {
      const path = resolveIn(inp.finalWorkdir, dll);
      if (path) {
        const dir = path.slice(0, path.lastIndexOf('/') + 1) || '/';
        p.artifacts.push({ from: dir, to: dir, why: 'the directory of the application dll' });
      }
    }
  }
  const projects = publishes.map(({ cmd }) => projectFile(inp, cmd)).filter((x): x is string => x !== undefined);
  // The project file decides (Sdk.Web, or a console app hosting ASP.NET Core); without it, EXPOSE and ASPNETCORE_* settings.
  const web = projects.length
    ? projects.some((x) => /Microsoft\.NET\.Sdk\.Web|Include="Microsoft\.AspNetCore\.App"/.test(x))
    : inp.steps.some((s) => s.keyword === 'EXPOSE' || [...s.env.keys()].some((k) => k.startsWith('ASPNETCORE_'))) ||
      inp.copies.some((c) =>
        c.sources.some((src) => /\.csproj$/.test(src) && /Microsoft\.NET\.Sdk\.Web/.test(inp.context?.readFile?.(src.replace(/^\.\//, '')) ?? '')),
      );
  if (kind !== 'runtime-deps' && web) kind = 'aspnet';
  else if (kind === 'runtime' && publishes.length && !projects.length) {
    // Unknown project: aspnet also runs console apps, dotnet/runtime does not run ASP.NET Core ones.
    kind = 'aspnet';
    p.notes.push(
      'The project file was not found in the build context, so the runtime is dotnet/aspnet (it runs console apps too); use dotnet/runtime if this is not an ASP.NET Core app.',
    );
  }
  if (!publishes.length)
    p.notes.push(
      "Publish the application (`dotnet publish -c Release -o /app/publish`) and copy that directory: `dotnet build` output also needs the SDK's restore results.",
    );
  const proj = commandsOf(inp.steps, (c) => prog(c) === 'dotnet' && ['publish', 'build'].includes(c.words[1] ?? ''))[0];
  if (proj) p.devCommand = ['dotnet', 'watch', 'run'];
  return p;
}

export const dotnet: LanguageModule = {
  id: 'dotnet',
  name: '.NET',
  ofImage: (ref: ImageRef) => /dotnet\/(core\/)?sdk$/.test(ref.path.toLowerCase()),
  isToolchainImage: () => true,
  buildsWith: (c: SimpleCommand) => prog(c) === 'dotnet' && ['publish', 'build', 'restore'].includes(c.words[1] ?? ''),
  systemLibs: 'none',
  analyse: analyzeDotnet,
};
