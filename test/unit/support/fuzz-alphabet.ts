/**
 * The seeded random source and the alphabet of Dockerfile pieces that the fuzz tests
 * (fuzz.test.ts, scan.test.ts, document-hint.test.ts) build hostile texts from.
 */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
export const ALPHABET: readonly string[] = [
  'FROM ',
  'AS ',
  'as ',
  'COPY ',
  '--from=',
  'RUN ',
  '--mount=type=cache,from=',
  '<<EOF',
  'EOF',
  '\\',
  '`',
  '\n',
  '\r\n',
  '\r',
  ' ',
  '\t',
  '#',
  '$',
  '${',
  '}',
  ':-',
  '"',
  "'",
  '0',
  '1',
  'builder',
  'B',
  '\uFEFF',
  '\u{1F433}',
  '\u0000',
  '=',
  ',',
  'ARG ',
  '# escape=`\n',
  '<<<<<<< x\n',
];
