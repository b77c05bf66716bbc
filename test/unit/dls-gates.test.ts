/**
 * The general features send dockerfile-language-service only the text an answer needs
 * (features/dls.ts). A hover on the ARG / ENV keyword is answered from the instruction's
 * lines and must equal the whole-file answer; on a name or a variable it keeps the context.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerfileLanguageServiceFactory } from 'dockerfile-language-service';
import { GeneralFeatures } from '../../server/src/features/dls';

const text = ['ARG BASE=alpine', 'FROM $BASE AS build', 'arg VERSION=1', 'ENV PATH=/x:$PATH \\', '    MODE=${VERSION}', 'RUN echo $MODE'].join('\n');

test('a hover on the ARG or ENV keyword equals the whole-file answer; on names and variables too', () => {
  const ours = new GeneralFeatures(() => undefined);
  const service = DockerfileLanguageServiceFactory.createLanguageService();
  service.setCapabilities({ hover: { contentFormat: ['markdown', 'plaintext'] } });
  const positions = [
    { line: 0, character: 1 }, // ARG keyword
    { line: 2, character: 3 }, // arg keyword, lower case, at its end
    { line: 3, character: 0 }, // ENV keyword
    { line: 0, character: 6 }, // the ARG name: needs the file
    { line: 4, character: 13 }, // ${VERSION}: needs the file
    { line: 5, character: 1 }, // RUN keyword
  ];
  let answered = 0;
  for (const p of positions) {
    const got = ours.hover(text, p);
    assert.deepEqual(got, service.computeHover(text, p), `hover at ${p.line}:${p.character}`);
    if (got) answered++;
  }
  assert.ok(answered >= 3, `keyword hovers answer (${answered})`);
});
