import { FormError, canonical, parseForm } from './form.js';
import { Params } from './params.js';
import { StripeApiError } from './errors.js';

describe('parseForm (Stripe v1 form encoding)', () => {
  it('reads nested hashes, indexed and appended arrays, as the SDK writes them', () => {
    const form = parseForm(
      'amount=5000&currency=cny&metadata[enrolmentId]=enr_1&metadata[note]=a%20b+c&payment_method_types[0]=card&expand[]=latest_charge&expand[]=payment_method&automatic_payment_methods[enabled]=true',
    );
    expect(JSON.parse(JSON.stringify(form))).toEqual({
      amount: '5000',
      currency: 'cny',
      metadata: { enrolmentId: 'enr_1', note: 'a b c' },
      payment_method_types: { '0': 'card' },
      expand: { '0': 'latest_charge', '1': 'payment_method' },
      automatic_payment_methods: { enabled: 'true' },
    });
    const p = new Params(form);
    expect(p.stringArray('payment_method_types')).toEqual(['card']);
    expect(p.stringArray('expand')).toEqual(['latest_charge', 'payment_method']);
    expect(p.integer('amount')).toBe(5000);
  });

  it('accepts percent-encoded brackets and empty values', () => {
    expect(JSON.parse(JSON.stringify(parseForm('metadata%5Bk%5D=v&description=&flag')))).toEqual({ metadata: { k: 'v' }, description: '', flag: '' });
  });

  it('keeps __proto__ as a plain key (no prototype pollution)', () => {
    const form = parseForm('metadata[__proto__]=x&__proto__[polluted]=yes');
    expect(Object.keys(form)).toEqual(['metadata', '__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('rejects malformed names, bad escapes and a key used both as value and hash', () => {
    expect(() => parseForm('a[b=1')).toThrow(FormError);
    expect(() => parseForm('a=%E0%A4%A')).toThrow(FormError);
    expect(() => parseForm('a=1&a[b]=2')).toThrow(FormError);
    expect(() => parseForm('a[b]=2&a=1')).toThrow(FormError);
  });

  it('canonical() ignores parameter order, so a retried request compares equal', () => {
    expect(canonical(parseForm('b=2&a[y]=1&a[x]=0'))).toBe(canonical(parseForm('a[x]=0&a[y]=1&b=2')));
    expect(canonical(parseForm('a=1'))).not.toBe(canonical(parseForm('a=2')));
  });
});

describe('Params', () => {
  const error = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof StripeApiError) return e.error;
    }
    throw new Error('expected a StripeApiError');
  };

  it('metadata: set, unset one key with an empty value, unset all with metadata=', () => {
    expect(new Params(parseForm('metadata[a]=1&metadata[b]=')).metadata({ b: 'x', c: 'y' })).toEqual({ a: '1', c: 'y' });
    expect(new Params(parseForm('metadata=')).metadata({ b: 'x' })).toEqual({});
    expect(new Params(parseForm('other=1')).metadata({ b: 'x' })).toBeUndefined();
    expect(error(() => new Params(parseForm(`metadata[${'k'.repeat(41)}]=1`)).metadata({}))['param']).toBe(`metadata[${'k'.repeat(41)}]`);
  });

  it('integers, booleans and unknown nested keys fail with Stripe’s messages', () => {
    expect(error(() => new Params(parseForm('amount=12.5')).integer('amount'))).toMatchObject({ code: 'parameter_invalid_integer', message: 'Invalid integer: 12.5' });
    expect(error(() => new Params(parseForm('confirm=yes')).boolean('confirm'))).toMatchObject({ message: 'Invalid boolean: yes', param: 'confirm' });
    expect(error(() => new Params(parseForm('apm[enabled]=true&apm[x]=1')).hash('apm')!.known(['enabled']))).toMatchObject({
      code: 'parameter_unknown',
      param: 'apm[x]',
    });
  });
});
