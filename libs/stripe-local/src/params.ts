import { invalidParam, missingParam, unknownParam } from './errors.js';
import type { FormObject, FormValue } from './form.js';

/**
 * Typed reads of form parameters with Stripe's validation messages. Every endpoint first lists the
 * parameters it knows (`known`), so a typo fails loudly, as it does against Stripe.
 */
export class Params {
  constructor(readonly raw: FormObject) {}

  known(names: readonly string[]): this {
    for (const key of Object.keys(this.raw)) if (!names.includes(key)) throw unknownParam(key);
    return this;
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  private scalar(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidParam(`Invalid string: ${name} must be a string, not a hash`, name);
    return value;
  }

  string(name: string, options: { maxLength?: number } = {}): string | undefined {
    const value = this.scalar(name);
    if (value !== undefined && options.maxLength !== undefined && value.length > options.maxLength) {
      throw invalidParam(`Invalid ${name}: must be at most ${options.maxLength} characters`, name);
    }
    return value;
  }

  /** A string that may be unset by sending an empty value (Stripe's convention): '' becomes null. */
  nullableString(name: string, options: { maxLength?: number } = {}): string | null | undefined {
    const value = this.string(name, options);
    return value === '' ? null : value;
  }

  requiredString(name: string): string {
    const value = this.scalar(name);
    if (value === undefined) throw missingParam(name);
    if (value === '') throw emptyValue(name);
    return value;
  }

  integer(name: string, range: { min?: number; max?: number; code?: string } = {}): number | undefined {
    const value = this.scalar(name);
    if (value === undefined) return undefined;
    if (value === '') throw emptyValue(name);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw invalidParam(`Invalid integer: ${value}`, name, 'parameter_invalid_integer');
    }
    const n = Number(value);
    if (range.min !== undefined && n < range.min) {
      throw invalidParam(`This value must be greater than or equal to ${range.min}.`, name, range.code ?? 'parameter_invalid_integer');
    }
    if (range.max !== undefined && n > range.max) {
      throw invalidParam(`This value must be less than or equal to ${range.max}.`, name, range.code ?? 'parameter_invalid_integer');
    }
    return n;
  }

  boolean(name: string): boolean | undefined {
    const value = this.scalar(name);
    if (value === undefined) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw invalidParam(`Invalid boolean: ${value}`, name);
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.scalar(name);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw invalidParam(`Invalid ${name}: must be one of ${values.join(', ')}`, name);
    }
    return value as T;
  }

  /** `a[0]=x&a[1]=y` or `a[]=x&a[]=y`, in index order. */
  stringArray(name: string): string[] | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (typeof value === 'string') {
      if (value === '') return [];
      throw invalidParam(`Invalid array`, name);
    }
    return Object.keys(value)
      .map((k) => {
        if (!/^\d+$/.test(k)) throw invalidParam(`Invalid array`, name);
        return [Number(k), value[k]!] as const;
      })
      .sort((a, b) => a[0] - b[0])
      .map(([, v]) => {
        if (typeof v !== 'string') throw invalidParam(`Invalid array`, name);
        return v;
      });
  }

  hash(name: string): Params | undefined {
    const value = this.raw[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string') throw invalidParam(`Invalid object`, name);
    return new NestedParams(value, name);
  }

  /**
   * Metadata as Stripe treats it: `metadata[k]=v` sets, `metadata[k]=` removes k, `metadata=` removes all.
   * Returns the new metadata, or undefined when the request does not touch it.
   */
  metadata(current: Record<string, string>): Record<string, string> | undefined {
    const value = this.raw['metadata'];
    if (value === undefined) return undefined;
    if (typeof value === 'string') {
      if (value === '') return {};
      throw invalidParam('Invalid object', 'metadata');
    }
    const next: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, current);
    for (const [key, v] of Object.entries(value) as [string, FormValue][]) {
      if (typeof v !== 'string') throw invalidParam(`Invalid value type: {...} must be a string`, `metadata[${key}]`);
      if (key.length > 40) throw invalidParam(`Metadata keys can have up to 40 characters, but the key '${key}' has ${key.length}.`, `metadata[${key}]`);
      if (v.length > 500) throw invalidParam(`Metadata values can have up to 500 characters, but you passed in a value that is ${v.length} characters.`, `metadata[${key}]`);
      if (v === '') delete next[key];
      else next[key] = v;
    }
    if (Object.keys(next).length > 50) {
      throw invalidParam(`Invalid metadata: metadata can have up to 50 keys, but you passed in ${Object.keys(next).length} keys.`, 'metadata');
    }
    return next;
  }

  expand(allowed: readonly string[]): Set<string> {
    const paths = this.stringArray('expand') ?? [];
    for (const path of paths) {
      if (!allowed.includes(path)) throw invalidParam(`This property cannot be expanded (${path}).`, 'expand');
    }
    return new Set(paths);
  }
}

class NestedParams extends Params {
  constructor(
    raw: FormObject,
    private readonly prefix: string,
  ) {
    super(raw);
  }
  override known(names: readonly string[]): this {
    for (const key of Object.keys(this.raw)) if (!names.includes(key)) throw unknownParam(`${this.prefix}[${key}]`);
    return this;
  }
}

function emptyValue(name: string) {
  return invalidParam(
    `You passed an empty string for '${name}'. We assume empty values are an attempt to unset a parameter; however '${name}' cannot be unset. You should remove '${name}' from your request or supply a non-empty value.`,
    name,
    'parameter_invalid_empty',
  );
}
