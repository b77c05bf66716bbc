/**
 * Splits a user's argument string (the `dockerStages.build.args` and
 * `dockerStages.run.args` settings) into argv, like a POSIX shell without any
 * expansion: whitespace separates words; '…' is literal; "…" is literal
 * except for \" and \\; outside quotes a backslash escapes a quote, a
 * backslash or whitespace, and is kept before anything else (so Windows paths
 * such as C:\work\ctx survive). No $, ~, glob or command substitution.
 */

export class ArgsError extends Error {}

export function splitArgs(input: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input.charAt(i);
    if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) throw new ArgsError(`unterminated ' quote at column ${i + 1}: ${input}`);
      cur += input.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = input.charAt(j);
        if (d === '\\' && (input[j + 1] === '"' || input[j + 1] === '\\')) {
          cur += input[j + 1] ?? '';
          j += 2;
        } else if (d === '"') {
          closed = true;
          break;
        } else {
          cur += d;
          j++;
        }
      }
      if (!closed) throw new ArgsError(`unterminated " quote at column ${i + 1}: ${input}`);
      inWord = true;
      i = j + 1;
    } else if (c === '\\' && i + 1 < n && /["'\\\s]/.test(input.charAt(i + 1))) {
      cur += input[i + 1] ?? '';
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
