/**
 * Quoting an argv for a shell: used only by "Copy Build Command", which gives
 * the user a command line to paste. Builds themselves never go through a
 * shell (argv arrays only).
 */

export type ShellKind = 'posix' | 'fish' | 'powershell' | 'cmd';

/** The kind of shell from its path (`vscode.env.shell`); an empty path means the platform's default. */
export function shellKindOf(shellPath: string, platform: string): ShellKind {
  const base = (shellPath.split(/[\\/]/).pop() ?? '').toLowerCase().replace(/\.exe$/, '');
  if (base === 'pwsh' || base === 'powershell' || base.startsWith('pwsh-')) return 'powershell';
  if (base === 'cmd') return 'cmd';
  if (base === 'fish') return 'fish';
  if (base === '') return platform === 'win32' ? 'powershell' : 'posix';
  return 'posix';
}

/** Characters no POSIX shell or fish treats specially anywhere in a word (a leading = or % aside: zsh and fish expand them). */
const POSIX_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quotePosix(a: string): string {
  if (POSIX_SAFE.test(a) && !/^[=%]/.test(a)) return a;
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

/** fish: inside '…' only \' and \\ are escapes. */
export function quoteFish(a: string): string {
  if (POSIX_SAFE.test(a) && !/^[=%]/.test(a)) return a;
  return `'${a.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * PowerShell: '…' is literal; a single quote (and its typographic variants,
 * which PowerShell also takes as quotes) is doubled. `,` would build an array,
 * a leading `@` splats, and `--%` stops parsing, so those are quoted too.
 */
export function quotePowerShell(a: string): string {
  if (/^[A-Za-z0-9_:./\\=+-]+$/.test(a) && a !== '--%') return a;
  return `'${a.replace(/['\u2018\u2019\u201A\u201B]/g, (c) => c + c)}'`;
}

/** The quoting CommandLineToArgvW (and Go's os.Args on Windows) undoes. */
export function quoteWindowsArg(a: string): string {
  if (a !== '' && !/[\s"]/.test(a)) return a;
  let out = '"';
  let backslashes = 0;
  for (const ch of a) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    out += ch === '"' ? '\\'.repeat(backslashes * 2 + 1) + '"' : '\\'.repeat(backslashes) + ch;
    backslashes = 0;
  }
  return out + '\\'.repeat(backslashes * 2) + '"';
}

/** cmd.exe: quote for CommandLineToArgvW, then escape every cmd metacharacter (quotes included) with ^. */
export function quoteCmd(a: string): string {
  return quoteWindowsArg(a).replace(/[()%!^"<>&|]/g, '^$&');
}

/** The argv as one command line for `shell`. */
export function quoteCommandLine(argv: readonly string[], shell: ShellKind): string {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return '';
  switch (shell) {
    case 'posix':
      return argv.map(quotePosix).join(' ');
    case 'fish':
      return argv.map(quoteFish).join(' ');
    case 'powershell': {
      const c = quotePowerShell(cmd);
      // A quoted string in command position is a string, not a command: call it with &.
      return [c.startsWith("'") ? `& ${c}` : c, ...rest.map(quotePowerShell)].join(' ');
    }
    case 'cmd':
      return argv.map(quoteCmd).join(' ');
  }
}
