/**
 * A photo's result file in the job's output folder, `<name>-<hash8>.json`
 * (records/item-document.ts): its name, its text, and reading it back. It is
 * written by the projector (projector.ts), atomically, so a reader or a crash
 * never sees half of it and a photo analysed again replaces its own file.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { writeAtomic } from '../../kernel/json-file-store';
import type { ItemDocument } from '../records/item-document';

/** `<photo name>-<first 8 hex of its SHA-256>.json`, with the name made safe on every file system. */
export function outputFileName(path: string, hash: string, suffix?: string): string {
  const stem =
    basename(path, extname(path))
      .normalize('NFC')
      .replace(/[^\p{L}\p{N} ._()-]/gu, '_')
      .replace(/^[ .]+|[ .]+$/g, '')
      .slice(0, 80) || 'photo';
  return `${stem}-${hash.slice(0, 8)}${suffix ? `-${suffix}` : ''}.json`;
}

/** The file's text: the document as indented JSON and a newline. */
export function itemFileText(doc: ItemDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function writeItemDocument(outputDir: string, fileName: string, doc: ItemDocument): void {
  writeAtomic(join(outputDir, fileName), itemFileText(doc));
}

/** readItemDocument off the main thread (a page of results for the window). */
export async function readItemDocumentAsync(outputDir: string, fileName: string): Promise<ItemDocument | undefined> {
  try {
    const doc = JSON.parse(await readFile(join(outputDir, fileName), 'utf8')) as ItemDocument;
    return doc && typeof doc === 'object' && doc.loupe?.version === 1 ? doc : undefined;
  } catch {
    return undefined;
  }
}

export function readItemDocument(outputDir: string, fileName: string): ItemDocument | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(outputDir, fileName), 'utf8')) as ItemDocument;
    return doc && typeof doc === 'object' && doc.loupe?.version === 1 ? doc : undefined;
  } catch {
    return undefined;
  }
}
