import { describe, expect, it } from 'vitest';
import { notifyAll } from '../../src/common/notify-all.js';

describe('notifyAll', () => {
  it('calls every listener, past one that throws, and reports the error', () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const listeners = new Set<(e: string) => void>([
      (e) => seen.push(`a:${e}`),
      () => {
        throw new Error('boom');
      },
      (e) => seen.push(`c:${e}`),
    ]);
    notifyAll(listeners, 'x', (e) => errors.push(e));
    expect(seen).toEqual(['a:x', 'c:x']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
  });
  it('lets a listener unsubscribe while it runs without skipping the next', () => {
    const seen: string[] = [];
    const listeners = new Set<(e: string) => void>();
    const first = (): void => {
      listeners.delete(first);
      seen.push('first');
    };
    listeners.add(first);
    listeners.add(() => seen.push('second'));
    notifyAll(listeners, 'x');
    expect(seen).toEqual(['first', 'second']);
  });
});
