import { assertCleanInput, MAX_INPUT_DEPTH } from './validation.js';

const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

const refusal = (input: unknown): unknown => {
  try {
    assertCleanInput(input);
    return null;
  } catch (error) {
    return (error as { details?: unknown }).details;
  }
};

describe('assertCleanInput', () => {
  it(`accepts ${MAX_INPUT_DEPTH} levels of nesting and refuses one more, naming the field and the rule`, () => {
    expect(refusal(nested(MAX_INPUT_DEPTH))).toBeNull();
    expect(refusal(nested(MAX_INPUT_DEPTH + 1))).toEqual({ fields: [{ field: expect.stringMatching(/^a\.0\.a/), rules: { maxDepth: expect.stringContaining(String(MAX_INPUT_DEPTH)) } }] });
  });

  it('refuses any depth without overflowing the stack', () => {
    expect(refusal(nested(200_000))).toMatchObject({ fields: [{ rules: { maxDepth: expect.any(String) } }] });
  });

  it('walks a million-item array', () => {
    expect(refusal(new Array(1_000_000).fill('x'))).toBeNull();
  });

  it('reports the first problem in field order', () => {
    expect(refusal({ a: 'ok', b: ['x', 'y\u0000'], c: '\ud800' })).toMatchObject({ fields: [{ field: 'b.1', rules: { noNulCharacters: expect.any(String) } }] });
    expect(refusal({ a: { constructor: 1 } })).toMatchObject({ fields: [{ field: 'a.constructor', rules: { whitelistValidation: expect.any(String) } }] });
  });
});
