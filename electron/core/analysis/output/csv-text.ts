/**
 * RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote,
 * CR or LF (or start/end with a space, which some readers trim), quotes
 * doubled. Written with a UTF-8 byte-order mark so spreadsheet apps don't
 * read accented text as Latin-1.
 */

/**
 * Model output is untrusted: text in a photo can make a model write
 * `=HYPERLINK(…)`, and a spreadsheet would run it. Such text cells get a
 * leading apostrophe (OWASP's advice); plain numbers like `-3` are left alone.
 */
export function neutraliseFormula(text: string): string {
  if (!/^[=+\-@\t\r]/.test(text)) return text;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return text;
  return `'${text}`;
}

export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(header: string[], rows: string[][]): string {
  const lines = [header, ...rows].map((cells) => cells.map(csvField).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** One result field as a cell: scalars as they are, lists of scalars joined with "; ", anything nested as JSON. */
export function cellValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return neutraliseFormula(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) {
    return neutraliseFormula(value.map((v) => (v === null ? '' : String(v))).join('; '));
  }
  return neutraliseFormula(JSON.stringify(value));
}
