/**
 * Sizes: the one parser and the formatters of every size Ensemble reads or
 * writes. KB/MB/GB/TB are 1024-based like systemd and docker, so `1MB` =
 * `1MiB` = 1048576 bytes.
 */

const UNIT_BYTES: Readonly<Record<string, number>> = {
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

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)\s*$/i;

/** `256MB`, `1.5GiB`, `512B`, `64kb` (units are case-insensitive) → whole bytes; null when the text is not a size. */
export function parseSize(text: string): number | null {
  const m = SIZE.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * (UNIT_BYTES[(m[2] as string).toLowerCase()] as number));
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/**
 * A size as the language writes it, exactly: `256MiB`, `5MiB`, `512B` (the
 * largest binary unit that divides it), so that
 * `parseSize(formatSize(bytes)) === bytes`. For `supervisor render`.
 */
export function formatSize(bytes: number): string {
  for (let i = BINARY_UNITS.length - 1; i > 0; i--) {
    const f = 1024 ** i;
    if (bytes >= f && bytes % f === 0) return `${bytes / f}${BINARY_UNITS[i]}`;
  }
  return `${bytes}B`;
}

/**
 * `512 B`, `12.3 MiB`, `256 MiB`, `1.5 GiB`: a size for people (messages,
 * `ps`): the largest binary unit below 1024 of it, one decimal below 100 and
 * none when it is whole or 100 and more.
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < BINARY_UNITS.length - 1) {
    value /= 1024;
    i++;
  }
  const shown = value >= 100 || i === 0 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${shown} ${BINARY_UNITS[i]}`;
}
