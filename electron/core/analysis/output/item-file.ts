/**
 * A photo's result file in the job's output folder, `<name>-<hash8>.json`
 * (records/item-document.ts): its name, its text, and reading it back. It is
 * written by the projector (projector.ts), atomically, so a reader or a crash
 * never sees half of it and a photo analysed again replaces its own file.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { ItemDocument } from '../records/item-document';
import type { OutputFolder } from '../records/output-files';

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

/** A photo's result file as this Loupe wrote it; undefined when it is missing or not one. */
export async function readItemDocument(folder: OutputFolder, fileName: string): Promise<ItemDocument | undefined> {
  try {
    const doc = JSON.parse(await readFile(folder.item(fileName), 'utf8')) as ItemDocument;
    return doc && typeof doc === 'object' && doc.loupe?.version === 1 ? doc : undefined;
  } catch {
    return undefined;
  }
}
