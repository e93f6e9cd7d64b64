/**
 * Limits of the language front end (docs/language.md, "Limits"). Each is far
 * above what a real file reaches; past one, a file gets one diagnostic
 * instead of unbounded time, memory or stack.
 */

/** Largest ensemble file (root, import) read, in bytes: 16 MiB. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Deepest nesting of blocks, lists and runner bodies (`service runner`
 * inside `service runner`), counted together. The parser and every later
 * stage recurse over this nesting; 100 levels use a small part of the stack.
 */
export const MAX_NESTING = 100;

/** Statements nested too deeply after which the parser stops reading a file (each costs an unwinding of the whole parser stack). */
export const MAX_NESTING_STOPS = 10;

/** Deepest nesting of `( … )` and `not` in one condition. */
export const MAX_CONDITION_NESTING = 100;

/** Characters no token starts with (each an "unexpected character") after which the lexer stops reading a file. */
export const MAX_STRAY_CHARACTERS = 1000;

/** Syntax errors after which the parser stops reading a file (the diagnostics shown are fewer still). */
export const MAX_SYNTAX_ERRORS = 1000;

/**
 * Tokens the parser's error recovery looks ahead for a place to resume
 * (Chevrotain scans to the end of the file, again for every rule open:
 * 100 KB of `:` inside nested blocks took 50 s). Past it, recovery skips
 * to the end of the file.
 */
export const MAX_RECOVERY_SCAN = 256;

/** Diagnostics kept for one load; the rest are counted ("and N more errors"). */
export const MAX_DIAGNOSTICS = 100;

/** Characters of a source line quoted in a diagnostic: a window around the column beyond that. */
export const MAX_QUOTED_LINE = 160;

/** Characters of user text (a condition, a token's text) quoted inside a message. */
export const MAX_QUOTED_TEXT = 60;

/** Characters of one diagnostic's message (a backstop: messages clip the user text they quote). */
export const MAX_MESSAGE = 400;
