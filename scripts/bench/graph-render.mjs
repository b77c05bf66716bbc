#!/usr/bin/env node
// The stage graph webview's render time (layout with dagre + SVG + highlight), in headless
// chromium through playwright-core, for generated Dockerfiles of 10, 100 and 1000 stages
// (1000 is above MAX_GRAPH_STAGES: the webview declines it with a message).
//   node scripts/bench/graph-render.mjs [stages ...]       needs: tsc -p . && node scripts/esbuild.mjs; /usr/bin/chromium (test/e2e/setup.sh)
// Prints the median of 5 renders (after one warm-up) as measured inside the page, and to the next frame.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const { buildModel } = require(path.join(root, 'out/server/src/model/model.js'));
const { stageGraph } = require(path.join(root, 'out/server/src/model/graph.js'));

/** A realistic mix: FROM chains, COPY --from by name and index, mounts, images. */
export function generate(n) {
  const lines = ['ARG BASE=debian:12'];
  for (let i = 0; i < n; i++) {
    const base = i === 0 ? '${BASE}' : i % 4 === 0 ? `s${i - 1}` : i % 4 === 1 ? 'alpine:3.20' : i % 4 === 2 ? 'golang:1.22' : 'scratch';
    lines.push(`FROM ${base} AS s${i}`, `RUN echo ${i}`);
    if (i > 1) lines.push(`COPY --from=s${Math.floor(i / 2)} /a /a${i}`);
    if (i > 5 && i % 3 === 0) lines.push(`RUN --mount=type=bind,from=s${i - 5},target=/m true`);
  }
  return lines.join('\n') + '\n';
}

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const dir = mkdtempSync(path.join(os.tmpdir(), 'graph-bench-'));
const html = path.join(dir, 'index.html');
writeFileSync(html, `<!DOCTYPE html><html><body><div id="status"></div><div id="graph"></div>
<script>window.__msgs = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__msgs.push(m) });</script>
<script src="${path.join(root, 'dist/graph.js')}"></script></body></html>`);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
await page.goto('file://' + html);
console.log('stages  nodes  in-page ms (median of 5)  to next frame ms');
for (const n of sizes.length ? sizes : [10, 100, 1000]) {
  const graph = stageGraph(buildModel(generate(n)));
  const runs = [];
  for (let k = 0; k < 6; k++) {
    const r = await page.evaluate(async (g) => {
      window.__msgs = [];
      const t0 = performance.now();
      window.postMessage({ type: 'graph', file: 'bench.Dockerfile', graph: g, extras: [], stale: false }, '*');
      while (!window.__msgs.some((m) => m.type === 'rendered')) await new Promise((r) => setTimeout(r, 1));
      await new Promise((r) => requestAnimationFrame(() => r()));
      const m = window.__msgs.find((x) => x.type === 'rendered');
      return { ms: m.ms, frame: performance.now() - t0, nodes: m.stages + m.images, declined: m.declined };
    }, graph);
    if (k > 0) runs.push(r);
  }
  const med = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const last = runs[runs.length - 1];
  console.log(`${String(n).padStart(6)}  ${last.declined ? 'declined' : String(last.nodes).padStart(5)}  ${med(runs.map((r) => r.ms)).toFixed(1).padStart(24)}  ${med(runs.map((r) => r.frame)).toFixed(1).padStart(16)}`);
}
await browser.close();
