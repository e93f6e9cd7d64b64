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
