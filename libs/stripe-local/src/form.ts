/**
 * Stripe's v1 wire format: `application/x-www-form-urlencoded` with bracketed nesting, exactly what the
 * SDK writes (`metadata[enrolmentId]=…`, `payment_method_types[0]=card`, `expand[]=latest_charge`).
 * Values stay strings; each endpoint decides what a value must be. Objects have no prototype, so a key
 * such as `__proto__` is just a key.
 */
export type FormValue = string | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormError extends Error {}

const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

export function emptyForm(): FormObject {
  return Object.create(null) as FormObject;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new FormError(`Invalid URL encoding: ${part}`);
  }
}

export function parseForm(body: string): FormObject {
  const root = emptyForm();
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const match = KEY.exec(rawKey);
    if (!match) throw new FormError(`Invalid parameter name: ${rawKey}`);
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    let node = root;
    for (let i = 0; i < path.length; i++) {
      // `a[]` appends: the next index of the container.
      const key = path[i] === '' ? String(Object.keys(node).length) : path[i]!;
      if (i === path.length - 1) {
        if (typeof node[key] === 'object') throw new FormError(`Invalid value for ${rawKey}: it is also used as a hash`);
        node[key] = value;
      } else {
        const next = node[key];
        if (typeof next === 'string') throw new FormError(`Invalid hash for ${rawKey}: it is also used as a value`);
        node = next ?? (node[key] = emptyForm());
      }
    }
  }
  return root;
}

/** A stable JSON form of parsed parameters, for comparing two requests made with one idempotency key. */
export function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`)
    .join(',')}}`;
}
