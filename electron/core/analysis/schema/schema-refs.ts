/**
 * The `$ref`s of a normalised schema (strict-schema.ts): each resolves, and
 * no chain of them loops without reaching a property or an item.
 */
import { type JsonSchema, isObject, join, quote, refuse } from './schema-refusal';

/** Where a local `$ref` points: the root (`#`) or one of `$defs` (`#/$defs/name`), the forms answers are checked with. */
function refTarget(root: JsonSchema, ref: string, path: string): { key: string; schema: JsonSchema } {
  if (ref === '#') return { key: '#', schema: root };
  const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
  if (!match) refuse(path, `“$ref” “${quote(ref)}” isn’t supported; use “#” or “#/$defs/<name>”.`);
  let name: string;
  try {
    name = decodeURIComponent(match[1]!).replace(/~1/g, '/').replace(/~0/g, '~');
  } catch {
    refuse(path, `“$ref” “${quote(ref)}” isn’t a valid reference.`);
  }
  const defs = root.$defs;
  const schema = isObject(defs) && Object.hasOwn(defs, name) ? defs[name] : undefined;
  if (!isObject(schema)) refuse(path, `“$ref” “${quote(ref)}” points at nothing: there is no “$defs.${quote(name)}”.`);
  return { key: `#/$defs/${name}`, schema };
}

/** The `$ref`s a schema reaches without first passing through an object's properties or an array's items. */
function unguardedRefs(schema: JsonSchema): string[] {
  const refs: string[] = [];
  const stack: unknown[] = [schema];
  while (stack.length) {
    const node = stack.pop();
    if (!isObject(node)) continue;
    if (typeof node.$ref === 'string') refs.push(node.$ref);
    if (Array.isArray(node.anyOf)) stack.push(...(node.anyOf as unknown[]));
  }
  return refs;
}

/**
 * Every `$ref` must resolve, and following them must reach a property or an
 * item before coming back: `a → b → a` describes no value at all, and
 * checking an answer against it would never end.
 */
export function checkRefs(root: JsonSchema): void {
  // Every `$ref` anywhere in the schema resolves.
  const stack: Array<{ node: unknown; path: string }> = [{ node: root, path: '' }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (Array.isArray(node)) {
      node.forEach((child, i) => stack.push({ node: child, path: join(path, String(i)) }));
      continue;
    }
    if (!isObject(node)) continue;
    if (typeof node.$ref === 'string') refTarget(root, node.$ref, path);
    for (const key of ['properties', '$defs', 'definitions'] as const) {
      const map = node[key];
      if (isObject(map)) for (const [name, child] of Object.entries(map)) stack.push({ node: child, path: join(path, `${key}.${name}`) });
    }
    for (const key of ['items', 'anyOf'] as const) if (node[key] !== undefined) stack.push({ node: node[key], path: join(path, key) });
  }
  // No loop of references that never reaches a property or an item.
  const edges = (key: string, schema: JsonSchema): string[] => unguardedRefs(schema).map((ref) => refTarget(root, ref, key).key);
  const state = new Map<string, 'open' | 'done'>();
  const targets: Array<[string, JsonSchema]> = [
    ['#', root],
    ...(isObject(root.$defs) ? Object.entries(root.$defs).map(([n, s]) => [`#/$defs/${n}`, s as JsonSchema] as [string, JsonSchema]) : []),
  ];
  for (const [start, startSchema] of targets) {
    if (state.has(start)) continue;
    // Iterative depth-first search; `trail` is the current chain of references.
    const trail: Array<{ key: string; next: string[] }> = [{ key: start, next: edges(start, startSchema) }];
    state.set(start, 'open');
    while (trail.length) {
      const top = trail[trail.length - 1]!;
      const nextKey = top.next.pop();
      if (nextKey === undefined) {
        state.set(top.key, 'done');
        trail.pop();
        continue;
      }
      const seen = state.get(nextKey);
      if (seen === 'open') {
        const loop = [...trail.slice(trail.findIndex((t) => t.key === nextKey)).map((t) => t.key), nextKey];
        refuse('', `its “$ref”s form a loop (${quote(loop.join(' → '), 200)}) that never reaches a property or an item.`);
      }
      if (seen === 'done') continue;
      state.set(nextKey, 'open');
      const schema = nextKey === '#' ? root : ((root.$defs as JsonSchema)[nextKey.slice('#/$defs/'.length)] as JsonSchema);
      trail.push({ key: nextKey, next: edges(nextKey, schema) });
    }
  }
}
