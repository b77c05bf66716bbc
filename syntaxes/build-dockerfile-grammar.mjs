#!/usr/bin/env node
// Generates syntaxes/dockerfile.tmLanguage.json (scopeName: source.dockerfile).
//
// Why a generator instead of a hand-written JSON file:
//  * The escape character (`\` by default, `` ` `` after `# escape=``) is baked into every regex
//    that deals with line continuations and escapes. TextMate grammars have no parameters, so the
//    whole instruction grammar exists twice (repository keys suffixed `-bs` / `-bt`), and the
//    backtick copy is entered only from the parser-directive block at the top of the file.
//  * Heredocs need one begin/while rule per delimiter variant (chomp `<<-` or not, quoted or not)
//    and per nesting level (`RUN <<A <<B` → bodies follow in order), which is mechanical.
//
// Usage:
//   node syntaxes/build-dockerfile-grammar.mjs          # (re)write the JSON file
//   node syntaxes/build-dockerfile-grammar.mjs --check  # exit 1 if the JSON file is stale
//
// The test suite (test/grammar/) also fails when the committed JSON differs from this output.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const re = String.raw;
const BT = '`';

// ---------------------------------------------------------------------------------------------
// Scope names (one place, so the tests and the README can refer to them).
// ---------------------------------------------------------------------------------------------
export const SCOPES = {
  instruction: 'keyword.other.instruction.dockerfile',
  as: 'keyword.other.as.dockerfile',
  none: 'constant.language.none.dockerfile',
  stageName: 'entity.name.type.stage.dockerfile',
  stageRef: 'entity.name.type.stage.reference.dockerfile',
  stageIndex: 'constant.numeric.integer.stage-index.dockerfile',
  stageRefMeta: 'meta.stage-reference.dockerfile',
  imageMeta: 'meta.image-reference.dockerfile',
  registry: 'entity.name.namespace.registry.dockerfile',
  image: 'entity.name.type.image.dockerfile',
  tag: 'constant.other.image-tag.dockerfile',
  digest: 'constant.other.image-digest.dockerfile',
  flagMeta: 'meta.flag.dockerfile',
  flag: 'variable.parameter.flag.dockerfile',
  flagValue: 'string.unquoted.flag-value.dockerfile',
  mountMeta: 'meta.mount-options.dockerfile',
  mountKey: 'entity.other.attribute-name.mount-option.dockerfile',
  mountValue: 'string.unquoted.mount-option-value.dockerfile',
  mountType: 'support.constant.mount-type.dockerfile',
  assign: 'keyword.operator.assignment.dockerfile',
  comment: 'comment.line.number-sign.dockerfile',
  commentPunct: 'punctuation.definition.comment.dockerfile',
  directiveMeta: 'meta.directive.dockerfile',
  directivePunct: 'punctuation.definition.directive.dockerfile',
  directive: 'keyword.other.directive.dockerfile',
  directiveValue: 'string.unquoted.directive-value.dockerfile',
  escapeChar: 'constant.character.escape.dockerfile',
  continuation: 'constant.character.escape.line-continuation.dockerfile',
  variable: 'variable.other.dockerfile',
  variableMeta: 'meta.variable.expansion.dockerfile',
  envName: 'variable.other.env.dockerfile',
  argName: 'variable.other.arg.dockerfile',
  labelKey: 'entity.other.attribute-name.label.dockerfile',
  expansionOp: 'keyword.operator.expansion.dockerfile',
  dq: 'string.quoted.double.dockerfile',
  sq: 'string.quoted.single.dockerfile',
  jsonString: 'string.quoted.double.json.dockerfile',
  execArray: 'meta.array.exec-form.dockerfile',
  shell: 'meta.embedded.shell.dockerfile source.shell',
  heredocMeta: 'meta.heredoc.dockerfile',
  heredocOp: 'keyword.operator.heredoc.dockerfile',
  heredocToken: 'keyword.control.heredoc-token.dockerfile',
  heredocText: 'string.unquoted.heredoc.dockerfile',
  fd: 'constant.numeric.integer.file-descriptor.dockerfile',
  port: 'constant.numeric.integer.port.dockerfile',
  protocol: 'support.constant.protocol.dockerfile',
};

const S = SCOPES;

// Instructions that take the generic "arguments" treatment.
const SIMPLE_INSTRUCTIONS = ['WORKDIR', 'USER', 'VOLUME', 'STOPSIGNAL', 'MAINTAINER'];
const MAX_HEREDOCS_PER_LINE = 3;

// ---------------------------------------------------------------------------------------------
// Mode-independent regex building blocks
// ---------------------------------------------------------------------------------------------
// End of a logical-line construct: just before the newline. `(?!^)` keeps an empty continuation
// line (which Docker skips) from ending the instruction at column 0.
const END = re`(?!^)(?=\r?\n)`;
const DQ_RAW = re`"(?:[^"\\\r\n]|\\.)*"`;
const QUOTED = re`${DQ_RAW}|'[^'\r\n]*'`;
// Heredoc delimiter word (BuildKit accepts more, but shell metacharacters end the word in practice).
const HD_NAME = re`[^\s<>"'|&;()\\${BT}]+`;
// A heredoc marker, non-capturing. BuildKit only recognises `<<` at the start of a whitespace-
// separated word (optionally preceded by a file-descriptor number).
const HD_MARKER_NC = re`(?<![^ \t])\d*<<-?(?:"${HD_NAME}"|'${HD_NAME}'|${HD_NAME})`;
// Capturing heredoc marker. Groups: 1 fd, 2 operator, 3 opening quote, 4 delimiter, 5 closing quote.
function hdMarker({ chomp, quote }) {
  const op = chomp === true ? '(<<-)' : chomp === false ? '(<<)(?!-)' : '(<<-?)';
  const q = quote === 'quoted' ? `(["'])` : quote === 'unquoted' ? '()' : `(["']?)`;
  return re`(?<![^ \t])(\d*)${op}${q}(${HD_NAME})(\3)`;
}
const HD_MARKER_CAPTURES = {
  1: { name: S.fd },
  2: { name: S.heredocOp },
  3: { name: 'punctuation.definition.string.begin.dockerfile' },
  4: { name: S.heredocToken },
  5: { name: 'punctuation.definition.string.end.dockerfile' },
};
const HD_SEP = re`(?:${QUOTED}|(?!${HD_MARKER_NC})[^\r\n])*`;

// Image reference: [registry/]name[:tag][@digest]. Groups: 1 registry, 2 '/', 3 name, 4 ':', 5 tag,
// 6 '@', 7 digest. A first path component is a registry if it contains '.' or ':' or is localhost.
const NOT_ESC = re`\\${BT}`;
const IMG_UNIT = re`(?:\$\{[^}\s]*\}|[^\s:@/${NOT_ESC}])`;
const IMG_REGISTRY = re`(?:[^\s/@${NOT_ESC}]*[.:][^\s/@${NOT_ESC}]*|localhost)`;
const IMG_TAG = re`(?:\$\{[^}\s]*\}|[^\s@${NOT_ESC}])+`;
const IMG_DIGEST = re`[^\s${NOT_ESC}]+`;
const IMAGE = re`(?:(${IMG_REGISTRY})(/))?(${IMG_UNIT}+(?:/${IMG_UNIT}+)*)(?:(:)(${IMG_TAG}))?(?:(@)(${IMG_DIGEST}))?`;

const NEVER = { match: '(?!)' };
const STAGE_NAME = re`[A-Za-z][A-Za-z0-9_.-]*`;

// Parser directives: `# key=value`, BuildKit knows syntax, escape and check (case-insensitive).
const DIRLINE = re`[ \t]*#[ \t]*(?i:syntax|escape|check)[ \t]*=[ \t]*[^ \t\r\n]`;

// ---------------------------------------------------------------------------------------------
// Mode-dependent rules (escape character `\` = "bs", `` ` `` = "bt")
// ---------------------------------------------------------------------------------------------
function modeRules(mode) {
  const E = mode === 'bs' ? re`\\` : BT; // regex atom matching the escape character
  const CONT_LA = re`(?<!${E})${E}[ \t\r]*$`; // escape char that continues the line
  const KW_END = re`(?=[ \t\r]|${CONT_LA}|$)`;
  const WORD_END = re`(?=[\s${NOT_ESC}]|$)`;
  const FLAG_VALUE = re`(?:${DQ_RAW}|'[^'\r\n]*'|(?!${CONT_LA})[^\s"'])*`;
  const JSON_STR = re`"(?:[^"\\\r\n]|\\.)*"`;
  const JSON_ARRAY_LA = re`\[[ \t]*(?:${JSON_STR}[ \t]*(?:,[ \t]*${JSON_STR}[ \t]*)*)?(?:\][ \t\r]*$|,?[ \t]*${CONT_LA})`;
  const INSTR = (words) => re`(?i)^[ \t]*(?:(ONBUILD)[ \t]+)?(${words})${KW_END}`;

  const r = {}; // rules, keyed by base name
  const ref = (name) => ({ include: `#${name}-${mode}` });
  const shared = (name) => ({ include: `#${name}` });
  const instructionCaptures = { 1: { name: S.instruction }, 2: { name: S.instruction } };
  const bodyStart = re`(?=[^ \t\r\n])`;

  // --- continuation handling -----------------------------------------------------------------
  r['line-continuation'] = {
    match: re`(?<!${E})(${E})[ \t\r]*\n`,
    captures: { 1: { name: S.continuation } },
  };
  r.cont = {
    patterns: [ref('line-continuation'), shared('continuation-comment'), shared('continuation-empty-line')],
  };

  // --- variables, strings, escapes -------------------------------------------------------------
  r.escape = { match: re`${E}[^\r\n]`, name: S.escapeChar };
  r['variable-braced'] = {
    name: S.variableMeta,
    begin: re`(\$\{)([A-Za-z_][A-Za-z0-9_]*)?`,
    beginCaptures: { 1: { name: 'punctuation.definition.variable.begin.dockerfile' }, 2: { name: S.variable } },
    end: re`(\})|${END}`,
    endCaptures: { 1: { name: 'punctuation.definition.variable.end.dockerfile' } },
    patterns: [
      ref('cont'),
      { match: re`\G(:?[-+?=]|##?|%%?|//?)`, name: S.expansionOp },
      ref('variable'),
      ref('double-quoted'),
      ref('single-quoted'),
      ref('escape'),
    ],
  };
  r['variable-simple'] = {
    match: re`(\$)([A-Za-z_][A-Za-z0-9_]*)`,
    captures: { 1: { name: `${S.variable} punctuation.definition.variable.dockerfile` }, 2: { name: S.variable } },
  };
  r.variable = { patterns: [ref('variable-braced'), ref('variable-simple')] };
  r['double-quoted'] = {
    name: S.dq,
    begin: '"',
    beginCaptures: { 0: { name: 'punctuation.definition.string.begin.dockerfile' } },
    end: re`(")|${END}`,
    endCaptures: { 1: { name: 'punctuation.definition.string.end.dockerfile' } },
    patterns: [ref('cont'), ref('escape'), ref('variable')],
  };
  r['single-quoted'] = {
    name: S.sq,
    begin: "'",
    beginCaptures: { 0: { name: 'punctuation.definition.string.begin.dockerfile' } },
    end: re`(')|${END}`,
    endCaptures: { 1: { name: 'punctuation.definition.string.end.dockerfile' } },
    patterns: [ref('cont')],
  };
  // Arguments of instructions whose words Docker itself expands (ENV, LABEL, COPY, WORKDIR, ...).
  r.args = { patterns: [ref('double-quoted'), ref('single-quoted'), ref('variable'), ref('escape')] };

  // --- JSON exec form -------------------------------------------------------------------------
  for (const [key, str] of [['exec-form', 'json-string'], ['exec-form-vars', 'json-string-vars']]) {
    r[key] = {
      name: S.execArray,
      begin: re`\G(?=${JSON_ARRAY_LA})(\[)`,
      beginCaptures: { 1: { name: 'punctuation.definition.array.begin.dockerfile' } },
      end: re`(\])|${END}`,
      endCaptures: { 1: { name: 'punctuation.definition.array.end.dockerfile' } },
      patterns: [ref('cont'), ref(str), { match: ',', name: 'punctuation.separator.array.dockerfile' }],
    };
  }
  r['json-string-vars'] = {
    name: S.jsonString,
    begin: '"',
    beginCaptures: { 0: { name: 'punctuation.definition.string.begin.dockerfile' } },
    end: re`(")|${END}`,
    endCaptures: { 1: { name: 'punctuation.definition.string.end.dockerfile' } },
    patterns: [shared('json-escape'), ref('variable')],
  };
  r['json-string'] = { patterns: [shared('json-string')] };

  // --- shell (embedded per physical line, so nothing the shell grammar leaves open can leak) ----
  // Each physical line of shell text is handed to source.shell through a capture, so a quote or
  // block the shell grammar leaves open is discarded at the end of the line instead of swallowing
  // the following instructions. The one multi-line construct that is common in Dockerfiles, a
  // quoted string continued with the escape character (`RUN sh -c "a && \` ... `b"`), is carried
  // across lines by our own rules (`shell-*-carry`), which emit the shell grammar's string scopes.
  const SH_DQ_BODY = re`(?:[^"\\\r\n]|\\(?![ \t\r]*$).)*`;
  const DQ_TO_CONT = re`"${SH_DQ_BODY}${CONT_LA}`;
  const SQ_TO_CONT = re`'[^'\r\n]*?${CONT_LA}`;
  const shellSegment = (heredocs) => ({
    match: re`(?:${QUOTED}|(?!${CONT_LA})(?!${DQ_TO_CONT})(?!${SQ_TO_CONT})${heredocs ? re`(?!${HD_MARKER_NC})` : ''}[^\r\n])+`,
    captures: { 0: { name: S.shell, patterns: [{ include: 'source.shell' }] } },
  });
  r['shell-segment'] = shellSegment(false);
  r['shell-segment-heredoc'] = shellSegment(true);
  r['shell-dq-carry'] = {
    name: `${S.shell} string.quoted.double.shell`,
    begin: re`"(?=${SH_DQ_BODY}${CONT_LA})`,
    beginCaptures: { 0: { name: 'punctuation.definition.string.begin.shell' } },
    end: re`(")|${END}`,
    endCaptures: { 1: { name: 'punctuation.definition.string.end.shell' } },
    patterns: [
      ref('cont'),
      { match: re`\\[$${BT}"\\]`, name: 'constant.character.escape.shell' },
      {
        match: re`(\$\{)[^}\s"]*(\})`,
        name: 'variable.other.bracket.shell',
        captures: { 1: { name: 'punctuation.definition.variable.shell' }, 2: { name: 'punctuation.definition.variable.shell' } },
      },
      {
        match: re`(\$)(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])`,
        name: 'variable.other.normal.shell',
        captures: { 1: { name: 'punctuation.definition.variable.shell' } },
      },
    ],
  };
  r['shell-sq-carry'] = {
    name: `${S.shell} string.quoted.single.shell`,
    begin: re`'(?=[^'\r\n]*?${CONT_LA})`,
    beginCaptures: { 0: { name: 'punctuation.definition.string.begin.shell' } },
    end: re`(')|${END}`,
    endCaptures: { 1: { name: 'punctuation.definition.string.end.shell' } },
    patterns: [ref('cont')],
  };
  r.shell = { patterns: [ref('shell-dq-carry'), ref('shell-sq-carry'), ref('shell-segment')] };
  r['shell-heredoc'] = { patterns: [ref('shell-dq-carry'), ref('shell-sq-carry'), ref('shell-segment-heredoc')] };

  // --- flags ----------------------------------------------------------------------------------
  r['stage-ref-value'] = {
    patterns: [
      { match: re`(?<==)([0-9]+)$`, captures: { 1: { name: S.stageIndex } } },
      { match: re`(?<==)(${STAGE_NAME})$`, captures: { 1: { name: S.stageRef } } },
      // A lone variable can be a stage name or an image; only the variable is scoped.
      { match: re`(?<==)(\$\{[^}\s]*\}|\$[A-Za-z_][A-Za-z0-9_]*)$`, captures: { 1: { patterns: [ref('variable')] } } },
      { match: re`(?<==)${IMAGE}$`, name: S.imageMeta, captures: imageCaptures(ref) },
      ref('variable'),
    ],
  };
  r['flag-from'] = {
    match: re`(?<![^ \t])(--from)(=)(${FLAG_VALUE})`,
    name: S.flagMeta,
    captures: { 1: { name: S.flag }, 2: { name: S.assign }, 3: { name: S.stageRefMeta, patterns: [ref('stage-ref-value')] } },
  };
  r['mount-options'] = {
    patterns: [
      {
        match: re`(?<=[=,])((?i:from))(=)([^,\s]*)`,
        captures: { 1: { name: S.mountKey }, 2: { name: S.assign }, 3: { name: S.stageRefMeta, patterns: [ref('stage-ref-value')] } },
      },
      {
        match: re`(?<=[=,])((?i:type))(=)([^,\s]*)`,
        captures: { 1: { name: S.mountKey }, 2: { name: S.assign }, 3: { name: S.mountType } },
      },
      {
        match: re`(?<=[=,])([A-Za-z][A-Za-z0-9_-]*)(?:(=)((?:"[^"]*"|'[^']*'|[^,\s"'])*))?`,
        captures: { 1: { name: S.mountKey }, 2: { name: S.assign }, 3: { name: S.mountValue, patterns: [ref('variable')] } },
      },
      { match: ',', name: 'punctuation.separator.comma.dockerfile' },
    ],
  };
  r['flag-mount'] = {
    match: re`(?<![^ \t])(--mount)(=)(${FLAG_VALUE})`,
    name: S.flagMeta,
    captures: { 1: { name: S.flag }, 2: { name: S.assign }, 3: { name: S.mountMeta, patterns: [ref('mount-options')] } },
  };
  r.flag = {
    match: re`(?<![^ \t])(--[A-Za-z][A-Za-z0-9-]*)(?:(=)(${FLAG_VALUE}))?`,
    name: S.flagMeta,
    captures: {
      1: { name: S.flag },
      2: { name: S.assign },
      3: { name: S.flagValue, patterns: [ref('variable'), ref('double-quoted'), ref('single-quoted')] },
    },
  };

  // --- heredocs -------------------------------------------------------------------------------
  // For a line with k markers the rule nesting is
  //   wrap(k) > while(k) > wrap(k-1) > while(k-1) > ... > wrap(1) > while(1) > [body(1) | marker-rest]
  // wrap(j) is begin/end: zero-width begin that captures the j-th delimiter, end = the terminator
  // line (scoped). while(j) is begin/while: its `while` fails on the terminator line, which pops
  // everything above it, including any rule the embedded shell grammar left open. Bodies are
  // begin `^` rules, so they start on the line after the instruction's last line.
  const kinds = {
    run: {
      variants: [
        { id: 'chomp', chomp: true, quote: 'any' },
        { id: 'plain', chomp: false, quote: 'any' },
      ],
      // The never-matching rule keeps vscode-textmate from dropping the body rule altogether when
      // source.shell is not available (rules whose only patterns are missing includes are skipped).
      body: () => ({ contentName: S.shell, patterns: [{ include: 'source.shell' }, NEVER] }),
      rest: [ref('shell-heredoc')],
    },
    copy: {
      variants: [
        { id: 'chomp-quoted', chomp: true, quote: 'quoted' },
        { id: 'chomp-unquoted', chomp: true, quote: 'unquoted' },
        { id: 'plain-quoted', chomp: false, quote: 'quoted' },
        { id: 'plain-unquoted', chomp: false, quote: 'unquoted' },
      ],
      // Unquoted delimiters: BuildKit expands build args / env in the content.
      body: (v) => ({ contentName: S.heredocText, patterns: v.quote === 'unquoted' ? [ref('variable')] : [] }),
      rest: [ref('args')],
    },
  };
  for (const [kind, spec] of Object.entries(kinds)) {
    const key = (what, j, v) => `heredoc-${kind}-${what}${j}-${v.id}`;
    r[`heredoc-${kind}-marker`] = { match: hdMarker({}), captures: HD_MARKER_CAPTURES };
    r[`heredoc-${kind}-marker-rest`] = {
      begin: re`\G(?!^)(?=[^\r\n])`,
      end: END,
      patterns: [ref('cont'), ref(`heredoc-${kind}-marker`), ...spec.rest],
    };
    for (const v of spec.variants) {
      r[`heredoc-${kind}-body-${v.id}`] = { begin: '^', end: '(?!)', ...spec.body(v) };
    }
    for (let j = 1; j <= MAX_HEREDOCS_PER_LINE; j++) {
      const prefix = `(?:${HD_MARKER_NC}${HD_SEP})`.repeat(j - 1);
      for (const v of spec.variants) {
        const look = `(?=${prefix}${hdMarker(v)})`;
        const wrap = {
          name: S.heredocMeta,
          end: v.chomp ? re`^(\t*)(\4)(?=\r?$)` : re`^()(\4)(?=\r?$)`,
          endCaptures: { 2: { name: S.heredocToken } },
          patterns: [ref(key('while', j, v))],
        };
        r[key('entry', j, v)] = { begin: look, ...wrap };
        if (j < MAX_HEREDOCS_PER_LINE) r[key('inner', j, v)] = { begin: re`\G${look}`, ...wrap };
        const whileRe = v.chomp ? re`^(?!\t*\4\r?$)` : re`^(?!\4\r?$)`;
        r[key('while', j, v)] =
          j === 1
            ? {
                begin: re`\G${hdMarker(v)}`,
                beginCaptures: HD_MARKER_CAPTURES,
                while: whileRe,
                patterns: [ref(`heredoc-${kind}-body-${v.id}`), ref(`heredoc-${kind}-marker-rest`)],
              }
            : {
                begin: re`\G${look}`,
                while: whileRe,
                patterns: [
                  ref(`heredoc-${kind}-body-${v.id}`),
                  ...spec.variants.map((w) => ref(key('inner', j - 1, w))),
                ],
              };
      }
    }
    const entries = [];
    for (let j = MAX_HEREDOCS_PER_LINE; j >= 1; j--) for (const v of spec.variants) entries.push(ref(key('entry', j, v)));
    r[`heredoc-${kind}`] = { patterns: entries };
  }

  // --- instruction bodies -----------------------------------------------------------------------
  r['run-body'] = {
    begin: bodyStart,
    end: END,
    patterns: [ref('cont'), ref('exec-form'), ref('heredoc-run'), ref('shell-heredoc')],
  };
  r['cmd-body'] = {
    begin: bodyStart,
    end: END,
    patterns: [ref('cont'), ref('exec-form'), ref('shell')],
  };
  r['copy-body'] = {
    begin: bodyStart,
    end: END,
    patterns: [ref('cont'), ref('exec-form-vars'), ref('heredoc-copy'), ref('args')],
  };
  r['args-body'] = {
    begin: bodyStart,
    end: END,
    patterns: [ref('cont'), ref('exec-form-vars'), ref('args')],
  };

  // --- FROM -------------------------------------------------------------------------------------
  r['from-image'] = {
    begin: re`(?=[^ \t\r\n])(?!--)`,
    end: END,
    patterns: [
      ref('cont'),
      { match: re`\G${IMAGE}${WORD_END}`, name: S.imageMeta, captures: imageCaptures(ref) },
      {
        begin: re`(?i)(?<![^ \t])(AS)${KW_END}`,
        beginCaptures: { 1: { name: S.as } },
        end: END,
        patterns: [ref('cont'), { match: re`(?<![^ \t])[^\s${NOT_ESC}]+`, name: S.stageName }],
      },
      ref('args'),
    ],
  };

  // --- instructions -----------------------------------------------------------------------------
  const instruction = (id, words, patterns) => ({
    name: `meta.instruction.${id}.dockerfile`,
    begin: INSTR(words),
    beginCaptures: instructionCaptures,
    end: END,
    patterns: [ref('cont'), ...patterns],
  });
  r['instr-from'] = instruction('from', 'FROM', [ref('flag'), ref('from-image')]);
  r['instr-run'] = instruction('run', 'RUN', [ref('flag-mount'), ref('flag'), ref('run-body')]);
  r['instr-cmd'] = instruction('cmd', 'CMD|ENTRYPOINT|SHELL', [ref('cmd-body')]);
  r['instr-copy'] = instruction('copy', 'COPY|ADD', [ref('flag-from'), ref('flag'), ref('copy-body')]);
  r['instr-healthcheck'] = instruction('healthcheck', 'HEALTHCHECK', [
    ref('flag'),
    { match: re`(?i)(?<![^ \t])(NONE)${WORD_END}`, captures: { 1: { name: S.none } } },
    {
      begin: re`(?i)(?<![^ \t])(CMD)${KW_END}`,
      beginCaptures: { 1: { name: S.instruction } },
      end: END,
      patterns: [ref('cont'), ref('cmd-body')],
    },
  ]);
  r['instr-env'] = instruction('env', 'ENV', [
    {
      // Legacy form `ENV NAME value with spaces`: the rest of the instruction is the value.
      begin: re`\G[ \t]+([A-Za-z_][A-Za-z0-9_.-]*)(?=[ \t]+(?!${CONT_LA})[^ \t\r\n])`,
      beginCaptures: { 1: { name: S.envName } },
      end: END,
      patterns: [ref('cont'), ref('args')],
    },
    { match: re`(?<![^ \t])([A-Za-z_][A-Za-z0-9_.-]*)(=)`, captures: { 1: { name: S.envName }, 2: { name: S.assign } } },
    ref('args'),
  ]);
  r['instr-arg'] = instruction('arg', 'ARG', [
    {
      match: re`(?<![^ \t])([A-Za-z_][A-Za-z0-9_.-]*)(?:(=)|(?=[ \t\r]|$|${CONT_LA}))`,
      captures: { 1: { name: S.argName }, 2: { name: S.assign } },
    },
    ref('args'),
  ]);
  r['instr-label'] = instruction('label', 'LABEL', [
    { match: re`(?<![^ \t])([^\s="'$${NOT_ESC}]+)(=)`, captures: { 1: { name: S.labelKey }, 2: { name: S.assign } } },
    ref('args'),
    { match: re`(?<=["'])=`, name: S.assign }, // "quoted key"=value
  ]);
  r['instr-expose'] = instruction('expose', 'EXPOSE', [
    {
      match: re`(?<![^ \t])([0-9]+(?:-[0-9]+)?)(?:(/)((?i:tcp|udp|sctp)))?${WORD_END}`,
      captures: { 1: { name: S.port }, 2: { name: 'punctuation.separator.protocol.dockerfile' }, 3: { name: S.protocol } },
    },
    ref('args'),
  ]);
  r['instr-simple'] = instruction('simple', SIMPLE_INSTRUCTIONS.join('|'), [ref('args-body')]);
  r['instr-onbuild'] = instruction('onbuild', 'ONBUILD', [ref('args')]);
  r['instr-unknown'] = {
    name: 'meta.instruction.unknown.dockerfile',
    begin: re`^[ \t]*(?=[^ \t\r\n#])`,
    end: END,
    patterns: [ref('cont'), ref('args')],
  };

  r.main = {
    patterns: [
      shared('comment'),
      ref('instr-from'),
      ref('instr-run'),
      ref('instr-cmd'),
      ref('instr-copy'),
      ref('instr-healthcheck'),
      ref('instr-env'),
      ref('instr-arg'),
      ref('instr-label'),
      ref('instr-expose'),
      ref('instr-simple'),
      ref('instr-onbuild'),
      ref('instr-unknown'),
    ],
  };

  const out = {};
  for (const [k, v] of Object.entries(r)) out[`${k}-${mode}`] = v;
  return out;
}

function imageCaptures(ref) {
  const withVars = (name) => ({ name, patterns: [ref('variable')] });
  return {
    1: withVars(S.registry),
    2: { name: 'punctuation.separator.path.dockerfile' },
    3: withVars(S.image),
    4: { name: 'punctuation.separator.tag.dockerfile' },
    5: withVars(S.tag),
    6: { name: 'punctuation.separator.digest.dockerfile' },
    7: { name: S.digest },
  };
}

// ---------------------------------------------------------------------------------------------
// Grammar
// ---------------------------------------------------------------------------------------------
export function buildGrammar() {
  const directiveCaptures = {
    1: { name: S.directiveMeta },
    2: { name: S.directivePunct },
    3: { name: S.directive },
    4: { name: S.assign },
  };
  const repository = {
    comment: {
      match: re`^[ \t]*((#).*)$`,
      captures: { 1: { name: S.comment }, 2: { name: S.commentPunct } },
    },
    // Inside a continued instruction Docker drops comment lines and empty lines.
    'continuation-comment': {
      match: re`^[ \t]*((#).*)\n`,
      captures: { 1: { name: S.comment }, 2: { name: S.commentPunct } },
    },
    'continuation-empty-line': { match: re`^[ \t\r]*\n` },
    'json-string': {
      name: S.jsonString,
      begin: '"',
      beginCaptures: { 0: { name: 'punctuation.definition.string.begin.dockerfile' } },
      end: re`(")|${END}`,
      endCaptures: { 1: { name: 'punctuation.definition.string.end.dockerfile' } },
      patterns: [{ include: '#json-escape' }],
    },
    'json-escape': {
      patterns: [
        { match: re`\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})`, name: S.escapeChar },
        { match: re`\\.`, name: 'invalid.illegal.unrecognized-string-escape.dockerfile' },
      ],
    },
    'directive-line': {
      patterns: [
        {
          match: re`^[ \t]*((#)[ \t]*((?i:escape))[ \t]*(=)[ \t]*([\\${BT}]))[ \t\r]*$`,
          captures: { ...directiveCaptures, 5: { name: S.escapeChar } },
        },
        {
          match: re`^[ \t]*((#)[ \t]*((?i:syntax|escape|check))[ \t]*(=)[ \t]*(.*?))[ \t\r]*$`,
          captures: { ...directiveCaptures, 5: { name: S.directiveValue } },
        },
      ],
    },
    // Parser directives are only honoured in the uninterrupted run of directive lines that starts
    // on the first line of the file; the first other line (blank, comment, instruction) ends it.
    directives: {
      begin: re`\A(?=${DIRLINE})`,
      end: re`^(?!${DIRLINE})`,
      patterns: [{ include: '#escape-backtick' }, { include: '#directive-line' }],
    },
    // `# escape=`` switches the rest of the file to the backtick copy of the grammar. This rule
    // never ends; later directive lines are still handled by `directives-after-escape`.
    'escape-backtick': {
      begin: re`^[ \t]*((#)[ \t]*((?i:escape))[ \t]*(=)[ \t]*(${BT}))(?=[ \t\r]*$)`,
      beginCaptures: { ...directiveCaptures, 5: { name: S.escapeChar } },
      end: '(?!)',
      patterns: [{ include: '#directives-after-escape' }, { include: '#main-bt' }],
    },
    'directives-after-escape': {
      begin: re`\G(?=[ \t\r]*$)`,
      end: re`^(?!${DIRLINE})`,
      patterns: [{ include: '#directive-line' }],
    },
    ...modeRules('bs'),
    ...modeRules('bt'),
  };
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'Dockerfile',
    scopeName: 'source.dockerfile',
    comment: 'GENERATED by syntaxes/build-dockerfile-grammar.mjs — edit the generator, not this file.',
    fileTypes: ['Dockerfile', 'Containerfile', 'dockerfile', 'containerfile'],
    patterns: [{ include: '#directives' }, { include: '#main-bs' }],
    repository,
  };
}

export function renderGrammar() {
  return JSON.stringify(buildGrammar(), null, 2) + '\n';
}

export const GRAMMAR_PATH = fileURLToPath(new URL('./dockerfile.tmLanguage.json', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = renderGrammar();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(GRAMMAR_PATH, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`${GRAMMAR_PATH} is out of date; run: node syntaxes/build-dockerfile-grammar.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(GRAMMAR_PATH, text);
    console.log(`wrote ${GRAMMAR_PATH}`);
  }
}
