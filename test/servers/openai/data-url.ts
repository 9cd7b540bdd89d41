// Base64 data URLs inside a request body, decoded as they stream in (see json-stream.ts for why):
// the header that marks a string as one, the decoder fed the payload piece by piece, and the
// short summary that takes the string's place in the parsed tree.

export interface DataUrlInfo {
  /** JSON path of the string, in the API's error-`param` style: `input[0].content[1].image_url`. */
  path: string;
  mime: string;
  /** Decoded byte count. */
  bytes: number;
  /** Decoded bytes (only while `keepBytes` allows; released by the caller after probing). */
  data: Buffer | null;
  /** Why the base64 payload is unusable (`null` when it decoded cleanly). */
  invalid: null | 'format' | 'empty';
  /** Where the summary string lives, so it can be refined after the image is probed. */
  holder: Record<string, unknown> | unknown[];
  key: string | number;
}

const DATA_PREFIX = Buffer.from('data:');

/**
 * The MIME type and the start of the base64 payload when the string's first bytes are a
 * `data:<mime>;base64,` header; null when the string is something else.
 */
export function dataUrlHead(buf: Buffer): { mime: string; payload: string } | null {
  if (buf.length < DATA_PREFIX.length || buf.compare(DATA_PREFIX, 0, DATA_PREFIX.length, 0, DATA_PREFIX.length) !== 0) return null;
  // Some encoders (PHP's json_encode) escape '/', so `image\/jpeg` must still be recognised.
  const head = buf
    .toString('latin1')
    .replace(/\\\//g, '/')
    .replace(/\\[nrt]/g, '');
  const comma = head.indexOf(',');
  if (comma === -1) return null;
  const meta = head.slice(5, comma);
  if (!/;base64$/i.test(meta)) return null;
  const mime = meta.slice(0, -';base64'.length).split(';')[0]!.trim().toLowerCase();
  return { mime, payload: head.slice(comma + 1) };
}

/** Decodes one data URL's base64 payload as it arrives, without ever holding it as a JS string. */
export class DataUrlDecoder {
  private carry = '';
  private sawPadding = false;
  private readonly chunks: Buffer[] = [];

  constructor(
    readonly info: DataUrlInfo,
    private readonly keep: boolean,
  ) {}

  /** More of the payload, as raw JSON string bytes read as latin1. */
  feed(text: string): void {
    const d = this.info;
    if (d.invalid) return;
    if (this.sawPadding && text.length > 0) {
      d.invalid = 'format';
      return;
    }
    const s = this.carry + text;
    const usable = s.length - (s.length % 4);
    if (usable === 0) {
      this.carry = s;
      return;
    }
    const part = usable === s.length ? s : s.slice(0, usable);
    this.carry = usable === s.length ? '' : s.slice(usable);
    // Node's decoder skips characters outside the alphabet instead of failing; a short output
    // is how we notice them without a per-character loop.
    const pad = part.charCodeAt(usable - 1) === 0x3d ? (part.charCodeAt(usable - 2) === 0x3d ? 2 : 1) : 0;
    if (pad) this.sawPadding = true;
    const buf = Buffer.from(part, 'base64');
    if (buf.length !== (usable / 4) * 3 - pad || (pad && part.indexOf('=') < usable - pad)) {
      d.invalid = 'format';
      return;
    }
    d.bytes += buf.length;
    if (this.keep) this.chunks.push(buf);
  }

  /** The byte after a backslash inside the payload. */
  escaped(b: number): void {
    // Base64 only needs `\/`; JSON-escaped line breaks (MIME-wrapped base64) are skipped like
    // other whitespace; anything else can't be part of a valid payload.
    if (b === 0x2f) this.feed('/');
    else if (b !== 0x6e && b !== 0x72 && b !== 0x74) this.info.invalid = 'format';
  }

  /** The closing quote: the last bytes, and the verdict. */
  finish(): DataUrlInfo {
    const d = this.info;
    if (!d.invalid && this.carry) {
      // Unpadded base64 is tolerated (2 or 3 trailing chars); a single leftover char is not.
      if (this.carry.length === 1 || this.sawPadding) d.invalid = 'format';
      else this.feed('='.repeat(4 - this.carry.length));
    }
    if (!d.invalid && d.bytes === 0) d.invalid = 'empty';
    d.data = this.keep && !d.invalid ? Buffer.concat(this.chunks, d.bytes) : null;
    return d;
  }
}

export function summarizeDataUrl(info: Pick<DataUrlInfo, 'mime' | 'bytes' | 'invalid'>, dims?: { width: number; height: number }): string {
  if (info.invalid) return `data:${info.mime};base64,<invalid base64>`;
  return `data:${info.mime};base64,<${info.bytes} bytes${dims ? `, ${dims.width}x${dims.height}` : ''}>`;
}
