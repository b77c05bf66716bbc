/**
 * Issue 9: the conversion reads the build context the Dockerfile is really built with.
 * A Dockerfile in docker/ built by Compose with `context: .` finds the project file at the
 * repository root; without Compose the context is the Dockerfile's folder, where the
 * project file is missing, and the .NET runtime falls back to aspnet (which runs console
 * apps too) instead of guessing dotnet/runtime.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { CodeActionRequest } from 'vscode-languageserver-protocol/node';
import { LspClient } from '../helpers/lspClient';

const dir = mkdtempSync(path.join(tmpdir(), 'dfs-context-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const DOCKERFILE = [
  'FROM mcr.microsoft.com/dotnet/sdk:8.0',
  'WORKDIR /src',
  'COPY . .',
  'RUN dotnet publish -c Release -o /app',
  'ENTRYPOINT ["dotnet", "/app/Tool.dll"]',
  '',
].join('\n');

test('the convert action reads the Compose build.context, else the Dockerfile folder', async () => {
  mkdirSync(path.join(dir, 'docker'));
  const file = path.join(dir, 'docker', 'Dockerfile');
  writeFileSync(file, DOCKERFILE);
  // A console app (plain Microsoft.NET.Sdk) at the repository root.
  writeFileSync(
    path.join(dir, 'Tool.csproj'),
    '<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup><OutputType>Exe</OutputType></PropertyGroup>\n</Project>\n',
  );
  const c = new LspClient({ workspace: dir });
  try {
    await c.init;
    const uri = pathToFileURL(file).href;
    c.open(uri, DOCKERFILE);
    const titles = async () =>
      (
        (await c.conn.sendRequest(CodeActionRequest.type, {
          textDocument: { uri },
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          context: { diagnostics: [] },
        })) ?? []
      ).map((a) => a.title);
    // No Compose file: the context is docker/, which has no project file.
    const alone = await titles();
    assert.ok(
      alone.some((t) => t.startsWith('Convert to multi-stage build (runtime: mcr.microsoft.com/dotnet/aspnet:8.0')),
      alone.join('\n'),
    );
    // Compose builds it with the repository root as context: the console project is read.
    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  tool:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n');
    const composed = await titles();
    assert.ok(
      composed.some((t) => t.startsWith('Convert to multi-stage build (runtime: mcr.microsoft.com/dotnet/runtime:8.0')),
      composed.join('\n'),
    );
  } finally {
    await c.stop();
  }
});
