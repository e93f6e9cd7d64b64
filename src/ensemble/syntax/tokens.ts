import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';
import { everyCharacterHint, strayPattern } from './stray-pattern.js';
import { stringPattern } from './string-pattern.js';

/**
 * Tokens of the ensemble language. Keywords belong to the `Name` category so
 * they can still be used as field names and bare words (`on`, `service`).
 */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_.-]*/, categories: [Name], label: 'a name' });

function keyword(word: string, inName = true): TokenType {
  return createToken({
    name: word[0]?.toUpperCase() + word.slice(1),
    pattern: new RegExp(`${word}(?![A-Za-z0-9_.-])`),
    longer_alt: Identifier,
    categories: inName ? [Name] : [],
    label: `"${word}"`,
  });
}

export const Import = keyword('import');
export const Runner = keyword('runner');
export const Service = keyword('service');
export const Compose = keyword('compose');
export const Network = keyword('network');
export const If = keyword('if');
export const On = keyword('on');
export const True = keyword('true', false);
export const False = keyword('false', false);

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true });
/** A `/*` with no closing `*\/`: reported at its start. */
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, group: 'errors', line_breaks: true });

export const StringLiteral = createToken({ name: 'StringLiteral', pattern: stringPattern(true), start_chars_hint: ['"'], line_breaks: false, label: 'a string' });
/** A `"` with no closing quote on its line: reported at its start, parsed as a string. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: stringPattern(false), start_chars_hint: ['"'], line_breaks: false, categories: [StringLiteral] });

export const Size = createToken({ name: 'Size', pattern: /\d+(?:\.\d+)?(?:[KMGTkmgt][iI]?[Bb]|[Bb])(?![A-Za-z0-9_.%])/, label: 'a size' });
export const Duration = createToken({ name: 'Duration', pattern: /\d+(?:\.\d+)?(?:ms|s|m|h|d)(?![A-Za-z0-9_.%])/, label: 'a duration' });
export const Percent = createToken({ name: 'Percent', pattern: /\d+(?:\.\d+)?%/, label: 'a percent' });
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /-?\d+(?:\.\d+)?(?![A-Za-z0-9_.%])/, label: 'a number' });
/** Something that starts like a number but is none of the above (`10x`, `5 mb`). */
export const BadNumber = createToken({ name: 'BadNumber', pattern: /-?\d[A-Za-z0-9_.%]*/, label: 'a number' });

export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: '"{"' });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: '"}"' });
export const LSquare = createToken({ name: 'LSquare', pattern: '[', label: '"["' });
export const RSquare = createToken({ name: 'RSquare', pattern: ']', label: '"]"' });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: '":"' });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: '","' });

/** Any character no token above starts with; kept apart from the parser's tokens and reported (stray-pattern.ts). */
export const Stray = createToken({ name: 'Stray', pattern: strayPattern, start_chars_hint: everyCharacterHint(), line_breaks: true, group: 'stray' });

/** Lexer order matters: comments before `/`, keywords before names, sizes/durations before numbers. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  Size,
  Duration,
  Percent,
  NumberLiteral,
  BadNumber,
  LCurly,
  RCurly,
  LSquare,
  RSquare,
  Colon,
  Comma,
  Import,
  Runner,
  Service,
  Compose,
  Network,
  If,
  On,
  True,
  False,
  Identifier,
  Name,
  Stray,
];

/**
 * The ensemble lexer (one instance; Chevrotain lexers are stateless). Tokens
 * carry their offset only: the lexer runs about a third faster without
 * tracking lines, and line-index.ts turns the offsets that are needed into
 * lines ("\n" ends a line, as in the source map and quoted source lines).
 * Construction fails if Chevrotain cannot apply its first-character
 * optimisation.
 */
export const ensembleLexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true });
