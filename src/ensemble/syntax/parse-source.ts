import type { IToken } from 'chevrotain';
import { clipText } from '../clip-text.js';
import { MAX_NESTING, MAX_NESTING_STOPS, MAX_STRAY_CHARACTERS, MAX_SYNTAX_ERRORS } from '../limits.js';
import type { RenderedSource } from '../liquid-render.js';
import type { Reporter } from '../reporter.js';
import type { RealPosition } from '../source-map.js';
import type { Origin, StatementNode } from './ast.js';
import { ensembleParser } from './parser.js';
import { LineIndex } from './line-index.js';
import { statementBuilder } from './syntax-tree.js';
import { tokenEnd } from './token-end.js';
import { resetStrays } from './stray-pattern.js';
import { ensembleLexer } from './tokens.js';

/**
 * Lex and parse rendered text into statements with real positions. Syntax
 * errors (all of them, thanks to Chevrotain's recovery) go to the reporter
 * as ENS_E_PARSE, each once (text repeated by a Liquid loop repeats its
 * errors at the same real place); statements with a syntax error anywhere
 * in them are marked `recovered`. A statement nested deeper than
 * MAX_NESTING gets one error at the bracket too many; after MAX_SYNTAX_ERRORS
 * syntax errors the rest of the file is not read (one error says so).
 */
export function parseSource(src: RenderedSource, origin: Origin, reporter: Reporter): StatementNode[] {
  const at = (line: number, column: number): RealPosition => src.map.locate(line, column);
  const report = (pos: RealPosition, message: string): void => reporter.report('ENS_E_PARSE', pos, message);

  const lines = new LineIndex(src.text);
  const atOffset = (offset: number): RealPosition => {
    const line = lines.line(offset);
    return at(line, lines.column(offset, line));
  };

  resetStrays();
  const lexed = ensembleLexer.tokenize(src.text);
  // Stray characters: one error per run of adjacent ones; past the limit the last "stray" is the rest of the text.
  const strays = lexed.groups['stray'] ?? [];
  for (let i = 0; i < strays.length; ) {
    const first = strays[i] as IToken;
    if (i === MAX_STRAY_CHARACTERS) {
      report(atOffset(first.startOffset), `more than ${MAX_STRAY_CHARACTERS} unexpected characters: the rest of the file is not read`);
      break;
    }
    let j = i + 1;
    while (j < strays.length && j < MAX_STRAY_CHARACTERS && (strays[j] as IToken).startOffset === first.startOffset + (j - i)) j++;
    const run = src.text.slice(first.startOffset, first.startOffset + Math.min(j - i, 40));
    report(atOffset(first.startOffset), j - i === 1 ? `unexpected character "${run}"` : `unexpected characters "${clipText(run, 20)}"`);
    i = j;
  }
  for (const e of lexed.errors) {
    const length = e.length || 1;
    const ch = clipText(src.text.slice(e.offset, e.offset + Math.min(length, 40)), 20);
    report(atOffset(e.offset), length === 1 ? `unexpected character "${ch}"` : `unexpected characters "${ch}"`);
  }
  const unterminatedComment = (lexed.groups['errors'] ?? []).length > 0;
  for (const t of lexed.groups['errors'] ?? []) report(atOffset(t.startOffset), 'unterminated block comment: "/*" has no closing "*/"');
  for (const t of lexed.tokens) if (t.tokenType.name === 'UnterminatedString') report(atOffset(t.startOffset), 'unterminated string: missing closing quote on this line');

  // Statements are built while parsing; what building reports goes after the syntax errors.
  const later: { pos: RealPosition; message: string }[] = [];
  const build = statementBuilder({ src, lines, origin, report: (pos, message) => later.push({ pos, message }) });
  const statements: StatementNode[] = [];
  const { errors, stops } = ensembleParser.parseFile(lexed.tokens, (draft) => {
    const st = build(draft);
    if (st) statements.push(st);
  });
  /** Where a token is, or the end of the file for EOF (and tokens the parser inserted). */
  const tokenPos = (t: IToken): RealPosition => {
    if (t.tokenType.name !== 'EOF' && !Number.isNaN(t.startOffset)) return atOffset(t.startOffset);
    const last = lexed.tokens[lexed.tokens.length - 1];
    const lastLine = last ? lines.line(last.startOffset) : 1;
    const end = last ? tokenEnd(last, lastLine, lines.column(last.startOffset, lastLine)) : undefined;
    return end ? at(end.line, end.column + 1) : at(1, 1);
  };
  // One syntax error per token: when recovery fails again at the same token, the first error says it.
  let previous: IToken | undefined;
  for (const e of errors) {
    const t = e.token;
    if (t === previous) continue;
    previous = t;
    if (t.tokenType.name === 'EOF' && unterminatedComment) continue;
    report(tokenPos(t), e.message);
  }
  for (const s of stops) {
    if (s.reason === 'nesting') report(tokenPos(s.token), `nesting deeper than ${MAX_NESTING} levels (blocks, lists and runner bodies)`);
    else if (s.reason === 'nestings') report(tokenPos(s.token), `${MAX_NESTING_STOPS} statements nest too deeply: the rest of the file is not read`);
    else report(tokenPos(s.token), `more than ${MAX_SYNTAX_ERRORS} syntax errors: the rest of the file is not read`);
  }
  for (const d of later) report(d.pos, d.message);
  return statements;
}
