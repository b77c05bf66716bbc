// Parser and checker for the `.scopes` expectation files that sit next to each fixture.
//
//   # comment
//   @no-probe                        pragma: do not append the "FROM probe" line (see the tests)
//   12 "FROM" keyword.other.instruction.dockerfile
//   12 "as"@2 !keyword               2nd occurrence of "as" on line 12; no scope may match `keyword`
//   12 ~"--omit=dev" source.shell !variable.parameter
//   12 * meta.heredoc.dockerfile !keyword     # a trailing comment
//
// - `<line>` is 1-based. The text is a JSON string literal and must occur on that line
//   (`@n` picks the n-th occurrence).
// - Positive scope `s`: every token overlapping the text has a scope equal to `s` or starting
//   with `s.` (TextMate prefix matching). Negative `!s`: no overlapping token has such a scope.
// - With at least one positive scope the text must also start and end on token boundaries,
//   i.e. it is exactly one or more whole tokens. `~` before the text disables this (use it when
//   the text is part of a larger token, e.g. inside embedded shell). `*` means the whole line,
//   without boundary check.

export function parseScopesFile(source, fileName = '<scopes>') {
  const pragmas = new Set();
  const assertions = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    const where = `${fileName}:${i + 1}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('@')) {
      pragmas.add(line.slice(1));
      return;
    }
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`${where}: expected "<line> <text> <scopes...>"`);
    let rest = m[2];
    let relaxed = false;
    let text;
    let whole = false;
    let occurrence = 1;
    if (rest.startsWith('*')) {
      whole = true;
      relaxed = true;
      rest = rest.slice(1);
    } else {
      if (rest.startsWith('~')) {
        relaxed = true;
        rest = rest.slice(1);
      }
      if (!rest.startsWith('"')) throw new Error(`${where}: text must be a JSON string literal`);
      let j = 1;
      while (j < rest.length && rest[j] !== '"') j += rest[j] === '\\' ? 2 : 1;
      if (j >= rest.length) throw new Error(`${where}: unterminated string`);
      text = JSON.parse(rest.slice(0, j + 1));
      rest = rest.slice(j + 1);
      const occ = /^@(\d+)/.exec(rest);
      if (occ) {
        occurrence = Number(occ[1]);
        rest = rest.slice(occ[0].length);
      }
    }
    if (rest !== '' && !/^\s/.test(rest)) throw new Error(`${where}: expected whitespace after the text`);
    const all = rest.trim().split(/\s+/).filter(Boolean);
    const commentAt = all.findIndex((w) => w.startsWith('#'));
    const words = commentAt < 0 ? all : all.slice(0, commentAt); // trailing "# comment"
    if (words.length === 0) throw new Error(`${where}: no scopes given`);
    const positive = words.filter((w) => !w.startsWith('!'));
    const negative = words.filter((w) => w.startsWith('!')).map((w) => w.slice(1));
    assertions.push({ where, line: Number(m[1]), text, whole, occurrence, relaxed, positive, negative });
  });
  return { pragmas, assertions };
}

export const scopeMatches = (scope, selector) => scope === selector || scope.startsWith(selector + '.');

/**
 * Returns a list of failure messages (empty when the assertion holds).
 * `opts.ownScopesOnly`: negative assertions only look at scopes ending in `.dockerfile` (used when a
 * real shell grammar is loaded: `# x` in a RUN heredoc is then legitimately a *shell* comment).
 */
export function checkAssertion(tokenized, a, opts = {}) {
  const lineInfo = tokenized[a.line - 1];
  if (!lineInfo) return [`${a.where}: line ${a.line} does not exist`];
  let start;
  let end;
  if (a.whole) {
    start = 0;
    end = lineInfo.text.length;
  } else {
    start = -1;
    for (let n = 0, from = 0; n < a.occurrence; n++) {
      start = lineInfo.text.indexOf(a.text, from);
      if (start < 0) break;
      from = start + 1;
    }
    if (start < 0) return [`${a.where}: ${JSON.stringify(a.text)} (occurrence ${a.occurrence}) not found on line ${a.line}: ${JSON.stringify(lineInfo.text)}`];
    end = start + a.text.length;
  }
  const tokens = lineInfo.tokens.filter((t) => (t.start < end && t.end > start) || (start === end && t.start === start));
  const label = `${a.where}: line ${a.line} ${a.whole ? '(whole line)' : JSON.stringify(a.text)}`;
  const failures = [];
  if (a.positive.length > 0 && !a.relaxed) {
    if (!lineInfo.tokens.some((t) => t.start === start) || !lineInfo.tokens.some((t) => t.end === end)) {
      failures.push(`${label} is not aligned to token boundaries`);
    }
  }
  for (const t of tokens) {
    for (const p of a.positive) {
      if (!t.scopes.some((s) => scopeMatches(s, p))) failures.push(`${label}: token ${JSON.stringify(t.text)} lacks ${p}`);
    }
    for (const n of a.negative) {
      const hit = t.scopes.find((s) => scopeMatches(s, n) && (!opts.ownScopesOnly || s.endsWith('.dockerfile')));
      if (hit) failures.push(`${label}: token ${JSON.stringify(t.text)} must not have ${n} (has ${hit})`);
    }
  }
  if (failures.length > 0) {
    const dump = lineInfo.tokens.map((t) => `      ${JSON.stringify(t.text)}  ${t.scopes.slice(1).join(' ')}`).join('\n');
    failures.push(`    tokens of line ${a.line}:\n${dump}`);
  }
  return failures;
}
