import { MAX_MESSAGE, MAX_QUOTED_TEXT } from './limits.js';

/**
 * User text as quoted inside a message: whole when short, else its first
 * `max` characters and "…" (a 10 MB condition must not become a 10 MB line).
 */
export function clipText(text: string, max: number = MAX_QUOTED_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * A whole message kept to `max` characters: its start and its end (which
 * often says what was expected) with "…" between.
 */
export function clipMessage(message: string, max: number = MAX_MESSAGE): string {
  if (message.length <= max) return message;
  const tail = Math.floor(max / 4);
  return `${message.slice(0, max - tail - 1)}…${message.slice(message.length - tail)}`;
}
