/** CSV: quoting, formula neutralising and cell values. */
import { describe, expect, it } from 'vitest';
import { cellValue, csvField, neutraliseFormula, toCsv } from '../../../../../electron/core/analysis/output/csv-text';
import { parseCsv } from '../../../../support/csv';

describe('CSV', () => {
  it('quotes what needs quoting and round-trips through an RFC 4180 parser', () => {
    const nasty = [
      'plain',
      'comma, inside',
      'quote " inside',
      'line\nbreak',
      'crlf\r\nbreak',
      ' leading space',
      'trailing ',
      'ünïcödé 📷',
      '',
      '=SUM(A1)',
    ];
    const csv = toCsv(
      ['h1', 'h2'],
      nasty.map((v) => [v, csvField(v) === v ? 'unquoted' : 'quoted']),
    );
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['h1', 'h2']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(nasty);
  });

  it('defuses spreadsheet formulas in text but leaves numbers alone', () => {
    expect(neutraliseFormula('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
    expect(neutraliseFormula('+1 555')).toBe("'+1 555");
    expect(neutraliseFormula('@cmd')).toBe("'@cmd");
    expect(neutraliseFormula('-3')).toBe('-3');
    expect(neutraliseFormula('-2.5e3')).toBe('-2.5e3');
    expect(neutraliseFormula('a=b')).toBe('a=b');
    expect(cellValue(['a', 'b'])).toBe('a; b');
    expect(cellValue([{ a: 1 }])).toBe('[{"a":1}]');
    expect(cellValue(null)).toBe('');
    expect(cellValue(0.25)).toBe('0.25');
    expect(cellValue(false)).toBe('false');
  });
});
