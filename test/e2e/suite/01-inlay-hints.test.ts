// The first real-VS-Code test: open a Dockerfile and get our inlay hints through
// vscode.executeInlayHintProvider (which asks every registered provider, i.e. our language client,
// which asks dist/server.js).
import * as assert from 'assert';
import * as vscode from 'vscode';
import { Hint, inlayHints, lineStarting, openDockerfile, poll } from './helpers';

describe('inlay hints (workspace/Dockerfile)', () => {
  let doc: vscode.TextDocument;
  let hints: Hint[] = [];
  // The server starts asynchronously: poll until it answers with hints (once; later tests reuse them).
  const load = async (): Promise<void> => {
    if (hints.length === 0)
      hints = await poll(
        'inlay hints from the language server',
        () => inlayHints(doc),
        (h) => h.length > 0,
      );
  };
  const line = (prefix: string): number => lineStarting(doc, prefix);
  const endOf = (l: number): number => doc.lineAt(l).text.trimEnd().length;
  /** The hint(s) with this label on this line. */
  const at = (l: number, label: string): Hint[] => hints.filter((h) => h.line === l && h.label === label);
  const show = (): string => hints.map((h) => `${h.line}:${h.character} ${h.label}`).join('\n');

  before(async () => {
    doc = await openDockerfile('Dockerfile');
  });

  it('gets our inlay hints through vscode.executeInlayHintProvider', async () => {
    await load();
    const expected: [string, string][] = [
      ['FROM --platform=$BUILDPLATFORM golang:1.22 AS Builder', '#0'],
      ['FROM alpine:3.20', '#1'],
      ['RUN --mount=type=bind,from=builder', '→ #0 builder'],
      ['FROM builder AS test', '#2'],
      ['FROM builder AS test', '→ #0 builder'],
      ['FROM debian:bookworm-slim AS final', '#3'],
      ['COPY --from=builder', '→ #0 builder'],
      ['COPY --from=1', '→ alpine:3.20'],
      ['COPY --from=0', '→ builder'],
    ];
    const want = expected.map(([p, label]) => `${line(p)} ${label}`).sort();
    // --from=0 names a stage, whose name the label may spell as declared ("Builder").
    const got = hints.map((h) => `${h.line} ${h.label === '→ Builder' ? '→ builder' : h.label}`).sort();
    assert.deepStrictEqual(got, want, `the hints (line label) differ from the expected ones; got:\n${show()}`);
  });

  it('puts the stage index #N at the end of every FROM instruction, named or not', async () => {
    await load();
    const froms = ['FROM --platform=$BUILDPLATFORM golang:1.22 AS Builder', 'FROM alpine:3.20', 'FROM builder AS test', 'FROM debian:bookworm-slim AS final'];
    froms.forEach((prefix, i) => {
      const l = line(prefix);
      const found = at(l, `#${i}`);
      assert.strictEqual(found.length, 1, `one "#${i}" hint on line ${l} (${prefix}); hints were:\n${show()}`);
      assert.strictEqual(found[0]?.character, endOf(l), `"#${i}" should sit at the end of line ${l}: ${doc.lineAt(l).text}`);
    });
  });

  it('labels each cross-stage reference by name with "→ #N name", the name lower-cased as BuildKit does', async () => {
    await load();
    // [line prefix, the reference text on that line]: the hint must sit on (or right after) it.
    const refs: [string, string][] = [
      ['RUN --mount=type=bind,from=builder', 'from=builder'],
      ['FROM builder AS test', 'builder'],
      ['COPY --from=builder', '--from=builder'],
    ];
    for (const [prefix, ref] of refs) {
      const l = line(prefix);
      const found = at(l, '→ #0 builder');
      assert.strictEqual(found.length, 1, `one "→ #0 builder" on line ${l} (${prefix}); hints were:\n${show()}`);
      const start = doc.lineAt(l).text.indexOf(ref);
      const ch = found[0]?.character ?? -1;
      assert.ok(
        ch >= start && ch <= start + ref.length,
        `"→ #0 builder" at column ${ch} should be within ${JSON.stringify(ref)} (columns ${start}-${start + ref.length}) on line ${l}`,
      );
    }
  });

  it('labels a numeric --from=N with the stage name, or its base image when the stage has no name', async () => {
    await load();
    const byName = hints.filter((h) => h.line === line('COPY --from=0'));
    assert.deepStrictEqual(
      byName.map((h) => h.label.toLowerCase()),
      ['→ builder'],
      `hints were:\n${show()}`,
    );
    const byImage = hints.filter((h) => h.line === line('COPY --from=1'));
    assert.deepStrictEqual(
      byImage.map((h) => h.label),
      ['→ alpine:3.20'],
      `hints were:\n${show()}`,
    );
    for (const [h, ref] of [
      [byName[0], '--from=0'],
      [byImage[0], '--from=1'],
    ] as const) {
      assert.ok(h, `a hint for ${ref}`);
      const start = doc.lineAt(h.line).text.indexOf(ref);
      assert.ok(
        h.character >= start && h.character <= start + ref.length,
        `"${h.label}" at column ${h.character} should be within ${ref} (columns ${start}-${start + ref.length})`,
      );
    }
  });

  it('returns only the hints inside the requested range', async () => {
    const first = line('FROM alpine:3.20');
    const last = line('RUN --mount=type=bind,from=builder');
    const range = new vscode.Range(first, 0, last, doc.lineAt(last).text.length);
    const inRange = await poll(
      'inlay hints for a range',
      () => inlayHints(doc, range),
      (h) => h.length > 0,
    );
    assert.deepStrictEqual(
      inRange.map((h) => `${h.line} ${h.label}`),
      [`${first} #1`, `${last} → #0 builder`],
    );
    // A range with no FROM and no reference has no hints.
    const w = line('WORKDIR /src');
    assert.deepStrictEqual(await inlayHints(doc, new vscode.Range(w, 0, w + 1, 0)), []);
  });
});
