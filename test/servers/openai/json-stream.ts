// Incremental JSON parser for request bodies that carry multi-megabyte base64 images.
//
// Why not `JSON.parse(await readAll(req))`: a 12-MP photo is ~9 MB of base64, and the benchmark
// pushes ten of those a second. Buffering the text, parsing it into a second copy and then
// base64-decoding a third wastes memory and time. Here a `data:<mime>;base64,` string is decoded
// as it arrives and never materialised as a JS string; the parsed tree gets a short summary in
// its place, and the decoded bytes are kept only until the image header has been read.

import { DataUrlDecoder, dataUrlHead, summarizeDataUrl, type DataUrlInfo } from './data-url.ts';

export class JsonSyntaxError extends Error {}

type Frame = { kind: 'obj'; value: Record<string, unknown>; key: string | null } | { kind: 'arr'; value: unknown[] };

// Parser states between tokens.
const enum S {
  Value, // expecting a value (top level, after ':' or after ',' in an array)
  ValueOrEnd, // just after '['
  KeyOrEnd, // just after '{'
  Key, // after ',' in an object
  Colon,
  CommaOrEnd,
  Done,
}

const WS = new Uint8Array(256);
WS[0x20] = WS[0x09] = WS[0x0a] = WS[0x0d] = 1;
const LITERAL = new Uint8Array(256);
for (const c of '0123456789+-.eEtruefalsn') LITERAL[c.charCodeAt(0)] = 1;

/** Enough bytes to see `data:<mime>;base64,` for any sane MIME type. */
const HEADER_PEEK = 200;
const MAX_DEPTH = 256;

export interface JsonStreamParserOptions {
  /** Keep decoded data-URL bytes for MIME types this returns true for (default: image/*). */
  keepBytes?: (mime: string) => boolean;
}

export class JsonStreamParser {
  readonly dataUrls: DataUrlInfo[] = [];
  private state: S = S.Value;
  private stack: Frame[] = [];
  private root: unknown = undefined;
  private offset = 0; // bytes consumed so far, for error messages

  // String scanning state
  private inString = false;
  private stringIsKey = false;
  private strParts: Buffer[] = [];
  private strLen = 0;
  private escapePending = false;
  private dataMode: DataUrlDecoder | null = null;
  private sniffed = false; // decided whether the current value string is a data URL

  // Literal (number/true/false/null) accumulation
  private literal = '';

  constructor(private readonly opts: JsonStreamParserOptions = {}) {}

  write(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    // Cached position of the next backslash in this chunk; recomputed only when passed, so
    // many short strings in one chunk don't each rescan the rest of it.
    let bsPos = -2;
    while (pos < len) {
      if (this.inString) {
        if (this.escapePending) {
          this.escapePending = false;
          this.onEscapedByte(chunk, pos);
          pos += 1;
          continue;
        }
        const q = chunk.indexOf(0x22, pos);
        if (bsPos !== -1 && bsPos < pos) bsPos = chunk.indexOf(0x5c, pos);
        if (bsPos !== -1 && (q === -1 || bsPos < q)) {
          // Segment up to the backslash, then the escape itself.
          this.stringBytes(chunk, pos, bsPos);
          if (bsPos + 1 < len) {
            this.onEscapedByte(chunk, bsPos + 1, true);
            pos = bsPos + 2;
          } else {
            this.escapeStart();
            this.escapePending = true;
            pos = len;
          }
          continue;
        }
        if (q === -1) {
          this.stringBytes(chunk, pos, len);
          pos = len;
          continue;
        }
        this.stringBytes(chunk, pos, q);
        pos = q + 1;
        this.endString();
        continue;
      }
      const c = chunk[pos]!;
      if (this.literal) {
        if (LITERAL[c]) {
          this.literal += String.fromCharCode(c);
          pos++;
          continue;
        }
        this.endLiteral();
      }
      pos++;
      if (WS[c]) continue;
      this.structural(c, pos - 1 + this.offset);
    }
    this.offset += len;
  }

  /** Finish parsing; returns the parsed value (with data URLs summarised). */
  end(): unknown {
    if (this.literal) this.endLiteral();
    if (this.inString || this.state !== S.Done) throw new JsonSyntaxError('Unexpected end of JSON input');
    return this.root;
  }

  // ---- structure ----

  private structural(c: number, at: number): void {
    switch (this.state) {
      case S.Done:
        throw new JsonSyntaxError(`Unexpected data after JSON at position ${at}`);
      case S.Colon:
        if (c !== 0x3a) throw this.unexpected(c, at);
        this.state = S.Value;
        return;
      case S.CommaOrEnd: {
        const top = this.stack[this.stack.length - 1];
        if (!top) throw this.unexpected(c, at);
        if (c === 0x2c) {
          this.state = top.kind === 'obj' ? S.Key : S.Value;
          return;
        }
        if ((c === 0x7d && top.kind === 'obj') || (c === 0x5d && top.kind === 'arr')) {
          this.stack.pop();
          this.afterValue();
          return;
        }
        throw this.unexpected(c, at);
      }
      case S.KeyOrEnd:
      case S.Key:
        if (c === 0x7d && this.state === S.KeyOrEnd) {
          this.stack.pop();
          this.afterValue();
          return;
        }
        if (c !== 0x22) throw this.unexpected(c, at);
        this.beginString(true);
        return;
      case S.ValueOrEnd:
      case S.Value:
        if (c === 0x5d && this.state === S.ValueOrEnd) {
          this.stack.pop();
          this.afterValue();
          return;
        }
        if (c === 0x7b) return this.open({ kind: 'obj', value: {}, key: null });
        if (c === 0x5b) return this.open({ kind: 'arr', value: [] });
        if (c === 0x22) return this.beginString(false);
        if (LITERAL[c]) {
          this.literal = String.fromCharCode(c);
          return;
        }
        throw this.unexpected(c, at);
    }
  }

  private unexpected(c: number, at: number): JsonSyntaxError {
    return new JsonSyntaxError(`Unexpected token '${String.fromCharCode(c)}' at position ${at}`);
  }

  private open(frame: Frame): void {
    if (this.stack.length >= MAX_DEPTH) throw new JsonSyntaxError('JSON nested too deeply');
    this.attach(frame.value);
    this.stack.push(frame);
    this.state = frame.kind === 'obj' ? S.KeyOrEnd : S.ValueOrEnd;
  }

  /** Put a value into the current container (or make it the root). */
  private attach(value: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) this.root = value;
    else if (top.kind === 'arr') top.value.push(value);
    else {
      const key = top.key!;
      // `__proto__` from JSON is an ordinary own property, as with JSON.parse.
      if (key === '__proto__') Object.defineProperty(top.value, key, { value, writable: true, enumerable: true, configurable: true });
      else top.value[key] = value;
    }
  }

  private afterValue(): void {
    this.state = this.stack.length === 0 ? S.Done : S.CommaOrEnd;
  }

  private endLiteral(): void {
    let v: unknown;
    try {
      v = JSON.parse(this.literal);
    } catch {
      throw new JsonSyntaxError(`Unexpected token '${this.literal.slice(0, 20)}'`);
    }
    this.literal = '';
    this.attach(v);
    this.afterValue();
  }

  // ---- strings ----

  private beginString(isKey: boolean): void {
    this.inString = true;
    this.stringIsKey = isKey;
    this.strParts = [];
    this.strLen = 0;
    this.sniffed = isKey;
    this.dataMode = null;
  }

  private stringBytes(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    if (this.dataMode) return this.dataMode.feed(chunk.toString('latin1', from, to));
    this.strParts.push(chunk.subarray(from, to));
    this.strLen += to - from;
    if (!this.sniffed && this.strLen >= HEADER_PEEK) this.sniff();
  }

  private escapeStart(): void {
    // Short of the peek size the header may still be incomplete; the sniff then waits.
    if (!this.dataMode && !this.sniffed && this.strLen >= HEADER_PEEK) this.sniff();
  }

  /** Handle the byte after a backslash. */
  private onEscapedByte(chunk: Buffer, at: number, fresh = false): void {
    if (fresh) this.escapeStart();
    const b = chunk[at]!;
    if (this.dataMode) return this.dataMode.escaped(b);
    const esc = Buffer.from([0x5c, b]);
    this.strParts.push(esc);
    this.strLen += 2;
  }

  /**
   * Decide whether the value string being read is a base64 data URL. Called once enough bytes
   * have arrived (or at a backslash / the closing quote) so the header is visible.
   */
  private sniff(): void {
    this.sniffed = true;
    const head = dataUrlHead(Buffer.concat(this.strParts, this.strLen));
    if (!head) return;
    const { mime } = head;
    const top = this.stack[this.stack.length - 1];
    const holder = top ? top.value : ([] as unknown[]);
    const key = top ? (top.kind === 'arr' ? top.value.length : top.key!) : 0;
    const info: DataUrlInfo = { path: this.pathHere(), mime, bytes: 0, data: null, invalid: null, holder, key };
    const keep = (this.opts.keepBytes ?? ((m: string) => m.startsWith('image/')))(mime);
    this.dataMode = new DataUrlDecoder(info, keep);
    this.strParts = [];
    this.strLen = 0;
    this.dataMode.feed(head.payload);
  }

  private endString(): void {
    this.inString = false;
    if (!this.stringIsKey && !this.sniffed && !this.dataMode) this.sniff();
    if (this.dataMode) {
      const info = this.dataMode.finish();
      this.dataMode = null;
      this.dataUrls.push(info);
      this.attach(summarizeDataUrl(info));
      this.afterValue();
      return;
    }
    const raw = Buffer.concat(this.strParts, this.strLen).toString('utf8');
    this.strParts = [];
    let value: string;
    try {
      // eslint-disable-next-line no-control-regex -- a raw control character makes the string invalid JSON
      value = raw.indexOf('\\') === -1 && !/[\u0000-\u001f]/.test(raw) ? raw : (JSON.parse(`"${raw}"`) as string);
    } catch {
      throw new JsonSyntaxError('Bad string in JSON');
    }
    if (this.stringIsKey) {
      const top = this.stack[this.stack.length - 1] as Extract<Frame, { kind: 'obj' }>;
      top.key = value;
      this.state = S.Colon;
      return;
    }
    this.attach(value);
    this.afterValue();
  }

  private pathHere(): string {
    let p = '';
    for (let i = 0; i < this.stack.length; i++) {
      const f = this.stack[i]!;
      // Ancestors already hold the child being filled; the innermost array has not pushed it yet.
      if (f.kind === 'arr') p += `[${i === this.stack.length - 1 ? f.value.length : f.value.length - 1}]`;
      else p += p ? `.${f.key}` : f.key;
    }
    return p;
  }
}

/** Convenience for small bodies and tests. */
export function parseJsonBuffer(buf: Buffer, opts?: JsonStreamParserOptions): { value: unknown; dataUrls: DataUrlInfo[] } {
  const p = new JsonStreamParser(opts);
  p.write(buf);
  return { value: p.end(), dataUrls: p.dataUrls };
}
