import type { IParserErrorMessageProvider } from 'chevrotain';

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
 */
export function countedMessages(provider: IParserErrorMessageProvider, count: ErrorCount): IParserErrorMessageProvider {
  return {
    buildMismatchTokenMessage(options) {
      count.value++;
      return provider.buildMismatchTokenMessage(options);
    },
    buildNotAllInputParsedMessage(options) {
      count.value++;
      return provider.buildNotAllInputParsedMessage(options);
    },
    buildNoViableAltMessage(options) {
      count.value++;
      return provider.buildNoViableAltMessage(options);
    },
    buildEarlyExitMessage(options) {
      count.value++;
      return provider.buildEarlyExitMessage(options);
    },
  };
}
