/**
 * json-schema-to-typescript is built for drafts 04/07: it ignores `if/then/else` and would type a number that also
 * takes the special answers as `unknown`. This pre-pass rewrites a questionnaire into the shapes it understands:
 * annotations and skip rules dropped (skip rules make items optional, which `required` already says), and the
 * `if string then enum else number` switch turned into the equivalent `anyOf`.
 */
type Node = Record<string, unknown>;

const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (!isObject(node)) return node;
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-csi-')) continue;
    out[key] = rewrite(value);
  }
  if (isObject(out.if) && out.if.type === 'string' && out.then !== undefined && out.else !== undefined) {
    const { if: _if, then, else: otherwise, ...rest } = out;
    return { ...rest, anyOf: [then, otherwise] };
  }
  return out;
}

export function prepareForTypegen(schema: Node): Node {
  const { allOf: _rules, $defs, ...rest } = schema;
  const defs = isObject($defs) ? Object.fromEntries(Object.entries($defs).filter(([name]) => name !== 'derived')) : undefined;
  const prepared = rewrite({ ...rest, ...(defs ? { $defs: defs } : {}) }) as Node;
  delete prepared.$id; // resolved locally; the URL must never be fetched
  return prepared;
}
