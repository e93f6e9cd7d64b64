import { TopicError } from './events-errors.js';

const LEVEL = /^[A-Za-z0-9_.:-]+$/;

/** A topic to publish on: levels of letters, digits and `_ . - :` separated by `/`, no wildcards. */
export function validateTopic(topic: string): void {
  if (topic.length === 0 || topic.length > 512 || !topic.split('/').every((l) => LEVEL.test(l))) {
    throw new TopicError(`topic "${topic}" is invalid: use levels of letters, digits or "_ . - :" separated by "/" (no wildcards, at most 512 characters)`);
  }
}

/**
 * A subscription filter: a topic whose levels may be `+` (exactly one level)
 * and whose last level may be `#` (any number of levels, including none).
 */
export function validateFilter(filter: string): void {
  const levels = filter.split('/');
  const ok =
    filter.length > 0 &&
    filter.length <= 512 &&
    levels.every((l, i) => l === '+' || (l === '#' && i === levels.length - 1) || LEVEL.test(l));
  if (!ok) throw new TopicError(`filter "${filter}" is invalid: levels are names, "+" (one level) or a final "#" (any levels)`);
}

/** MQTT matching: does `topic` match `filter`? (`a/#` matches `a`, `a/b`, `a/b/c`; `a/+` matches `a/b` only.) */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
