/**
 * Literal values of the language: string escapes, durations, sizes, percents.
 * Durations and sizes may be written bare (`30s`, `256MB`) or quoted.
 */

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const SIZE_BYTES: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** `250ms`, `30s`, `1.5m`, `2h`, `1d` → milliseconds; null when not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * (DURATION_MS[m[2] ?? ''] ?? 1));
}

/**
 * `256MB`, `1.5GiB`, `512B` → bytes; null when not a size. KB/MB/GB/TB are
 * 1024-based like systemd and docker (so `1MB` = `1MiB` = 1048576 bytes).
 */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)\s*$/i.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * (SIZE_BYTES[(m[2] ?? '').toLowerCase()] ?? 1));
}

/** `50%` → 50; null when not a percent. */
export function parsePercent(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * Decode a double-quoted string token (quotes included, or missing at the end
 * for an unterminated string). Escapes: `\"` `\\` `\n` `\t` `\r` `\uXXXX`
 * `\u{X…}`; any other backslash is kept as written (Windows paths).
 */
export function decodeString(image: string): string {
  const body = image.endsWith('"') && image.length >= 2 ? image.slice(1, -1) : image.slice(1);
  if (!body.includes('\\')) return body;
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|.)/g, (all, e: string) => {
    switch (e[0]) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'u': {
        const hex = e.startsWith('u{') ? e.slice(2, -1) : e.slice(1);
        const cp = Number.parseInt(hex, 16);
        return cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
      }
      default:
        return all;
    }
  });
}
