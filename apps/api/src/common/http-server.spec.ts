import secureJson from 'secure-json-parse';
import { CommonError } from './app-error.js';
import { parseJsonBody } from './http-server.js';

const parse = (text: string): unknown => secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
const refusal = (raw: string): CommonError => {
  try {
    parseJsonBody(Buffer.from(raw), parse);
  } catch (error) {
    return error as CommonError;
  }
  throw new Error(`${raw} was accepted`);
};

describe('JSON request bodies', () => {
  it('an object or array is the body; an empty body is {} so that validation names the missing fields', () => {
    expect(parseJsonBody(Buffer.from('{"amount":1200}'), parse)).toEqual({ amount: 1200 });
    expect(parseJsonBody(Buffer.from('[1,2]'), parse)).toEqual([1, 2]);
    expect(parseJsonBody(Buffer.alloc(0), parse)).toEqual({});
  });

  it.each(['{bad', '{"a":1,}', 'null', '42', '"text"', 'true'])('%s is INVALID_JSON with the reason', (raw) => {
    const error = refusal(raw);
    expect(error).toBeInstanceOf(CommonError);
    expect(error.code).toBe('INVALID_JSON');
    expect(error.details).toMatchObject({ fields: [{ field: 'body' }], parser: expect.any(String) });
  });

  it('refuses prototype poisoning ("__proto__", "constructor.prototype") like any unknown key, instead of building the object', () => {
    expect(refusal('{"name":"x","__proto__":{"admin":true}}')).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: '__proto__', rules: { whitelistValidation: 'property __proto__ should not exist' } }] } });
    expect(refusal('{"constructor":{"prototype":{"admin":true}}}')).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'constructor' }] } });
  });

  it('keeps JSON.parse’s own message, which says where the JSON breaks', () => {
    expect(String(refusal('{"amount": 12,, }').details?.['parser'])).toMatch(/position|JSON/);
  });
});
