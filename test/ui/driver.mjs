// Drives the VS Code workbench (code-server in headless chromium) the way a person would: quick
// open, clicks on characters of the editor, keys, hovers, the quick-fix menu. Selectors and
// gotchas come from the tested recipe (test/e2e/README.md):
//   - the editor DOM uses U+00A0 for spaces and U+200A for an inlay hint's padding: normalise;
//   - inlay hints are text inside `.view-lines`; quick-fix rows are `.action-widget .monaco-list-row`;
//     CodeLenses are `.codelens-decoration a`; the terminal (gpuAcceleration off) is `.xterm-rows`;
//   - wait for the explorer before pressing keys; a Ctrl+. right after a focus change can get lost.
import fs from 'node:fs';
import path from 'node:path';

export const norm = (s) => s.replace(/[\u00a0]/g, ' ').replace(/[\u200a\u200b]/g, '');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` (errors count as "not yet") until it returns something truthy; throws `what` on timeout. */
export async function until(what, fn, ms = 15_000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) { last = e instanceof Error ? e.message : String(e); }
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000}s waiting for ${what}${last !== undefined ? ` (last: ${typeof last === 'string' ? last : JSON.stringify(last)})` : ''}`);
    await sleep(150);
  }
}

export class Workbench {
  constructor(page, { workspace }) {
    this.page = page;
    this.workspace = workspace;
  }

  get editor() { return this.page.locator('.editor-group-container.active .monaco-editor').first(); }

  /** Loads the workbench and waits until the explorer shows the folder's files. */
  async load(url) {
    await this.page.goto(url);
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    // The status bar fills in once the workbench has restored; keys sent before may be lost.
    await this.page.locator('.statusbar').waitFor();
  }

  /** Whether the active editor shows workspace file `name` (a relative path), by its breadcrumbs. */
  async isOpen(name) {
    const items = (await this.page.locator('.editor-group-container.active .breadcrumbs-control .monaco-breadcrumb-item')
      .allInnerTexts().catch(() => [])).map((t) => norm(t).trim());
    const want = name.split('/');
    return want.every((seg, i) => items[i] === seg);
  }

  /** Opens a workspace file (a relative path) with Ctrl+P: type it, arrow to the exact match, Enter. */
  async open(name) {
    const base = path.posix.basename(name);
    const dir = path.posix.dirname(name);
    const input = this.page.locator('.quick-input-widget input');
    // The row of the file: its name, and its folder as the description (none at the top level).
    const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = this.page.locator('.quick-input-widget .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${esc(base)}$`) }),
    }).filter(dir === '.'
      ? { hasNot: this.page.locator('.label-description', { hasText: /\S/ }) }
      : { has: this.page.locator('.label-description', { hasText: new RegExp(`(^|/)${esc(dir)}$`) }) });
    for (let i = 0; i < 3 && !(await this.isOpen(name)); i++) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('Control+P');
      if (!(await input.waitFor({ timeout: 5_000 }).then(() => true, () => false))) continue;
      await input.fill(name);
      if (!(await match.first().waitFor({ timeout: 10_000 }).then(() => true, () => false))) continue;
      const focused = this.page.locator('.quick-input-widget .monaco-list-row.focused');
      for (let j = 0; j < 10 && !(await match.and(focused).isVisible()); j++) await this.page.keyboard.press('ArrowDown');
      await this.page.keyboard.press('Enter');
      await until(`${name} in the active editor`, () => this.isOpen(name), 5_000).catch(() => {});
    }
    if (!(await this.isOpen(name))) throw new Error(`could not open ${name} with Ctrl+P`);
    await this.editor.locator('.view-lines').waitFor();
  }

  /** Waits for the status bar's language indicator (e.g. "Docker"). */
  async languageIs(name) {
    await this.page.locator('.statusbar-item[id="status.editor.mode"]', { hasText: name }).waitFor({ timeout: 10_000 });
  }

  /** The visible editor lines, top to bottom, normalised (inlay hints included as text). */
  async lines() {
    return (await this.editor.locator('.view-lines').evaluate((el) =>
      [...el.querySelectorAll('.view-line')]
        .map((l) => ({ top: l.getBoundingClientRect().top, text: l.textContent ?? '' }))
        .sort((a, b) => a.top - b.top).map((l) => l.text))).map(norm);
  }

  /** Waits for a visible line matching `re` (a RegExp over the normalised line text) and returns it. */
  async line(re, ms = 20_000) {
    return until(`an editor line matching ${re}`, async () => (await this.lines()).find((l) => re.test(l)), ms);
  }

  /**
   * The screen box of one character: in the first visible line that contains `lineHas`, the
   * character at `offset` inside the first occurrence of `sub` (after `lineHas` starts).
   * Works on the DOM text, so inlay hints before it are accounted for.
   */
  async charBox(lineHas, sub = lineHas, offset = 0) {
    const box = await this.editor.locator('.view-lines').evaluate((root, [lineHas, sub, offset]) => {
      const n = (s) => s.replace(/\u00a0/g, ' ');
      for (const line of root.querySelectorAll('.view-line')) {
        const text = n(line.textContent ?? '');
        const at = text.indexOf(lineHas);
        if (at < 0) continue;
        const i = text.indexOf(sub, at);
        if (i < 0) continue;
        let want = i + offset;
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const len = node.textContent.length;
          if (want < len) {
            const r = document.createRange();
            r.setStart(node, want);
            r.setEnd(node, want + 1);
            const b = r.getBoundingClientRect();
            return { x: b.x, y: b.y, width: b.width, height: b.height, color: getComputedStyle(node.parentElement).color };
          }
          want -= len;
        }
      }
      return null;
    }, [lineHas, sub, offset]);
    if (!box) throw new Error(`no visible editor line contains ${JSON.stringify(lineHas)} … ${JSON.stringify(sub)}`);
    return box;
  }

  /**
   * Clicks on a character (see charBox) to put the cursor there. The box is measured until it
   * holds still: CodeLenses and inlay hints arrive late and shift the lines (a click measured
   * before a lens appeared once landed on the lens and started a build). With `expect.line`
   * (1-based), the status bar must then show the cursor on that line, else it measures and
   * clicks again. The lenses are awaited first (`expect.lens`, a string or RegExp of the lens
   * text, default any lens; `false` for none): in CI the box once held still for 250 ms before
   * the lens arrived, the click named the stage ("Name 'golang-stage' and build"), and the
   * conversion that followed kept that name.
   */
  async clickOn(lineHas, sub, offset = 0, expect = {}) {
    if (expect.lens !== false) {
      const lens = this.editor.locator('.codelens-decoration a', expect.lens ? { hasText: expect.lens } : {}).first();
      await lens.waitFor({ timeout: 30_000 }).catch(async () => {
        throw new Error(`no CodeLens ${expect.lens ? String(expect.lens) : ''} before clicking ${JSON.stringify(sub)}; lenses: ${JSON.stringify(await this.editor.locator('.codelens-decoration').allInnerTexts())}`);
      });
    }
    for (let attempt = 1; ; attempt++) {
      let b = await this.charBox(lineHas, sub, offset);
      for (let i = 0; i < 10; i++) {
        await this.page.waitForTimeout(250);
        const again = await this.charBox(lineHas, sub, offset);
        if (again.x === b.x && again.y === b.y) break;
        b = again;
      }
      await this.page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
      if (!expect.line) return b;
      const ok = await until(`the cursor on line ${expect.line}`, async () => (await this.cursor()).line === expect.line, 2_000).then(() => true, () => false);
      if (ok) return b;
      if (attempt === 3) throw new Error(`clicking ${JSON.stringify(sub)} in the line with ${JSON.stringify(lineHas)} did not put the cursor on line ${expect.line} (it is at ${JSON.stringify(await this.cursor())})`);
      await this.page.keyboard.press('Escape');
    }
  }

  /** The foreground colour of a character (see charBox): what the grammar and theme made of it. */
  async colorOf(lineHas, sub, offset = 0) {
    return (await this.charBox(lineHas, sub, offset)).color;
  }

  /** Waits for a squiggle (a diagnostic on screen) of `severity` ('error' | 'warning' | 'info' | 'hint'). */
  async squiggle(severity = 'warning', ms = 30_000) {
    await this.editor.locator(`.squiggly-${severity}`).first().waitFor({ state: 'attached', timeout: ms })
      .catch(() => { throw new Error(`no ${severity} squiggle (a diagnostic) in the editor after ${ms / 1000}s`); });
  }

  /** Closes the panel (terminal, problems …) if it is open, giving the editor its full height. */
  async closePanel() {
    const panel = this.page.locator('.part.panel');
    if (await panel.isVisible().catch(() => false)) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('Control+J'); // View: Toggle Panel
      await panel.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    }
  }

  /** Moves the mouse out of the way (no hover, no tooltip): over the empty end of the status bar. */
  async parkMouse() {
    const vp = this.page.viewportSize() ?? { width: 1200, height: 720 };
    await this.page.mouse.move(vp.width / 2, vp.height - 8);
  }

  /** Dismisses notification toasts (e.g. "All installed extensions are temporarily disabled"). */
  async clearNotifications() {
    const toasts = this.page.locator('.notifications-toasts .notification-toast');
    for (let i = 0; i < 5 && (await toasts.count()); i++) {
      await toasts.first().hover();
      await toasts.first().locator('.codicon-notifications-clear').click({ timeout: 2_000 }).catch(() => {});
    }
    await this.parkMouse();
  }

  /** The cursor position from the status bar ("Ln 3, Col 20"). */
  async cursor() {
    const t = norm(await this.page.locator('.statusbar-item[id="status.editor.selection"]').innerText());
    const m = /Ln (\d+), Col (\d+)/.exec(t);
    if (!m) throw new Error(`no cursor position in the status bar (${JSON.stringify(t)})`);
    return { line: Number(m[1]), col: Number(m[2]) };
  }

  /** Hovers a character and returns the hover widget's text once it contains `expect` (a RegExp). */
  async hover(lineHas, sub, offset, expect) {
    const widget = this.page.locator('.monaco-hover:not(.hidden)', { hasText: expect }).first();
    for (let i = 0; i < 4; i++) {
      const b = await this.charBox(lineHas, sub, offset);
      await this.page.mouse.move(b.x + b.width / 2 - 3, b.y + b.height / 2 + 1);
      await this.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 3 });
      if (await widget.waitFor({ timeout: 5_000 }).then(() => true, () => false)) break;
      await this.parkMouse();
    }
    await widget.waitFor({ timeout: 1_000 });
    await this.page.waitForTimeout(400); // let the fade-in finish (for screenshots)
    return norm(await widget.innerText());
  }

  /**
   * Ctrl+. until the menu offers `title` (a string or RegExp). Retried: a press right after a
   * focus change can get lost, and a slow server can answer "No code actions available" while
   * it is still analysing. Up to `ms`.
   */
  async quickFixMenu(title, ms = 30_000) {
    const row = this.page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
    const menu = this.page.locator('.action-widget .monaco-list-row').first();
    const none = this.page.locator('.monaco-editor-overlaymessage', { hasText: 'No code actions' });
    const end = Date.now() + ms;
    while (!(await row.isVisible()) && Date.now() < end) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('Control+.');
      // Wait for an answer: our row, another menu, or the "no code actions" message.
      await row.or(menu).or(none).first().waitFor({ timeout: 5_000 }).catch(() => {});
      if (await row.isVisible()) break;
      await this.page.waitForTimeout(1_000);
    }
    if (!(await row.isVisible())) {
      const offered = await this.page.locator('.action-widget .monaco-list-row').allInnerTexts().catch(() => []);
      throw new Error(`the quick-fix menu does not offer ${String(title)}${offered.length ? `; it offers ${JSON.stringify(offered.map(norm))}` : (await none.isVisible()) ? ' ("No code actions available")' : ' (no menu)'}`);
    }
    return row;
  }

  /** Picks `title` from the quick-fix menu: arrow keys to it, then Enter, as a person would. */
  async applyQuickFix(title) {
    await this.quickFixMenu(title);
    const rows = this.page.locator('.action-widget .monaco-list-row');
    const focused = this.page.locator('.action-widget .monaco-list-row.focused', { hasText: title });
    for (let i = 0; i <= (await rows.count()) && !(await focused.isVisible()); i++) await this.page.keyboard.press('ArrowDown');
    if (!(await focused.isVisible())) throw new Error(`could not move the quick-fix menu's focus to ${String(title)}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  }

  async save() {
    await this.page.keyboard.press('Control+S');
  }

  /** Reads a workspace file from disk until `ok(text)` holds (the save is asynchronous). */
  async fileOnDisk(name, ok, ms = 10_000) {
    const file = path.join(this.workspace, name);
    let text = '';
    try {
      return await until(`${name} on disk to change`, () => ok((text = fs.readFileSync(file, 'utf8'))) && text, ms);
    } catch (e) {
      throw new Error(`${e.message}\n--- ${name} on disk:\n${text}`);
    }
  }

  /** Closes all editors (Ctrl+K W), answering "Don't Save" if asked. */
  async closeEditors() {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+K');
    await this.page.keyboard.press('W');
    await this.page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: 2_000 }).catch(() => {});
    const dont = this.page.locator('.monaco-dialog-box .monaco-button', { hasText: "Don't Save" });
    if (await dont.waitFor({ timeout: 500 }).then(() => true, () => false)) await dont.click();
  }

  /** A screenshot of the whole workbench, or of one part (`clip`: a locator). */
  async screenshot(file, clip) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (clip) await clip.screenshot({ path: file });
    else await this.page.screenshot({ path: file });
  }
}
