import type { IParserErrorMessageProvider } from 'chevrotain';
import { ParseAbort } from './parse-abort.js';

/** How many syntax errors a parser has recorded; see {@link countedMessages}. */
export interface ErrorCount {
  value: number;
}

/**
 * Wrap an error message provider so that `count` goes up by one for every
 * message built. Chevrotain builds exactly one message for each syntax error
 * it records (mismatched token, no viable alternative, early exit, tokens
 * skipped in a repetition, input left over), so the count is the length of
 * the parser's error list — read in constant time, where the parser's
 * `errors` getter copies the whole list. Reset it when a new input starts.
 *
 * The error after `limit` throws {@link ParseAbort} instead: the parser
 * stops there (each error costs an exception and a recovery scan, and no
 * one reads the thousandth).
 */
export function countedMessages(provider: IParserErrorMessageProvider, count: ErrorCount, limit: number = Infinity): IParserErrorMessageProvider {
  const counted =
    <T>(build: (options: T) => string) =>
    (options: T): string => {
      if (count.value >= limit) throw new ParseAbort('errors', 0);
      count.value++;
      return build(options);
    };
  return {
    buildMismatchTokenMessage: counted(provider.buildMismatchTokenMessage.bind(provider)),
    buildNotAllInputParsedMessage: counted(provider.buildNotAllInputParsedMessage.bind(provider)),
    buildNoViableAltMessage: counted(provider.buildNoViableAltMessage.bind(provider)),
    buildEarlyExitMessage: counted(provider.buildEarlyExitMessage.bind(provider)),
  };
}
