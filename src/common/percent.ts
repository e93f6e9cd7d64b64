/** `50%`, `12.5 %` → 50, 12.5; null when the text is not a percent. */
export function parsePercent(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}
