/**
 * Stripe's v1 wire format: `application/x-www-form-urlencoded` with Rack-style brackets (`metadata[k]=v`,
 * `items[0][price]=p`, `expand[]=x`). stripe-node sends indexed arrays; curl users send `[]`. Both become arrays.
 */
export type StripeParams = { [key: string]: StripeParamValue };
export type StripeParamValue = string | StripeParamValue[] | StripeParams;

export function parseStripeParams(raw: string): StripeParams {
  const root: StripeParams = {};
  if (!raw) return root;
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = decode(rawKey);
    const value = decode(rawValue);
    assign(root, keyPath(key), value);
  }
  return arraysFromIndexedObjects(root) as StripeParams;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function keyPath(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const path = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key.slice(open))) !== null) path.push(m[1]);
  return path;
}

const APPEND = '\u0000append';

function assign(target: Record<string, unknown>, path: string[], value: string): void {
  let node = target;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] === '' ? `${APPEND}${Object.keys(node).length}` : path[i];
    if (i === path.length - 1) {
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (typeof next !== 'object' || next === null) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
}

function arraysFromIndexedObjects(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  const indexed = keys.length > 0 && keys.every((k) => /^\d+$/.test(k) || k.startsWith(APPEND));
  if (indexed) {
    return keys
      .map((k) => ({ k: k.startsWith(APPEND) ? Number(k.slice(APPEND.length)) : Number(k), v: obj[k] }))
      .sort((a, b) => a.k - b.k)
      .map(({ v }) => arraysFromIndexedObjects(v));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = arraysFromIndexedObjects(obj[k]);
  return out;
}

/** Stable text of a parameter set, so a replayed request can be compared with the first one. */
export function canonicalParams(params: StripeParams): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(params));
}
