import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { tokenLabel } from './chevrotain.js';

/** How a token is shown in a message: its text, or "end of file". */
export function describeToken(t: IToken): string {
  if (t.tokenType.name === 'EOF') return 'the end of the file';
  const img = t.image.length > 30 ? `${t.image.slice(0, 30)}…` : t.image;
  return `"${img}"`;
}

function labels(paths: TokenType[][][]): string {
  const seen = new Set<string>();
  for (const alt of paths) for (const p of alt) if (p[0]) seen.add(tokenLabel(p[0]));
  const list = [...seen];
  if (list.length <= 1) return list[0] ?? 'something else';
  return `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

const RULE_EXPECTS: Record<string, string> = {
  statement: 'a statement (import, runner, compose or network)',
  value: 'a value (string, number, boolean, duration, size, percent, name, list or block)',
  runnerHeader: 'a runner name and a path string (runner NAME "PATH")',
  bodyItem: 'a field (name: value, or name { … }) or a service runner',
  key: 'a field name',
};

/** Messages that say what was expected and what was found. */
export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    if (expected.name === 'EOF') return `expected ${RULE_EXPECTS['statement']}, found ${describeToken(actual)}`;
    return `expected ${tokenLabel(expected)}, found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `expected a statement (import, runner, compose or network), found ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const first = actual[0];
    const found = first ? describeToken(first) : 'nothing';
    return `expected ${RULE_EXPECTS[ruleName] ?? labels(expectedPathsPerAlt)}, found ${found}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const first = actual[0];
    return `expected ${RULE_EXPECTS[ruleName] ?? labels([expectedIterationPaths])}, found ${first ? describeToken(first) : 'nothing'}`;
  },
};
