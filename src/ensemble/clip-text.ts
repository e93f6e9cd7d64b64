import { MAX_QUOTED_TEXT } from './limits.js';

/**
 * User text as quoted inside a message: whole when short, else its first
 * `max` characters and "…" (a 10 MB condition must not become a 10 MB line).
 */
export function clipText(text: string, max: number = MAX_QUOTED_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
