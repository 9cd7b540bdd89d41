/**
 * A name no one has taken yet, as a person would number it: `name`, then
 * `name 2`, `name 3`… The one place Loupe numbers names; `taken` says
 * whether one is in use (a file on disk, an item's file name).
 */

export async function uniqueName(name: string, taken: (candidate: string) => boolean | Promise<boolean>): Promise<string> {
  if (!(await taken(name))) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name} ${n}`;
    if (!(await taken(candidate))) return candidate;
  }
}
