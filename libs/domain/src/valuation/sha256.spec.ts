import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha256Bytes, sha256Hex, utf8Encode } from './sha256.js';

const node = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

describe('sha256 (pure, for the verifiable lottery of RPR Art. 16 / Art. 34)', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('agrees with node:crypto at every length around the 64-byte block boundaries', () => {
    for (let n = 0; n <= 300; n++) {
      const s = 'x'.repeat(n);
      expect(sha256Hex(s)).toBe(node(s));
    }
  });

  it('agrees with node:crypto on arbitrary Unicode strings (UTF-8, astral planes, lone surrogates)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => sha256Hex(s) === node(Buffer.from(s, 'utf8'))),
      { numRuns: 1000 },
    );
    for (const s of ['摇号', '财产处置参考价', '😀🎉', '\ud800', 'a\udc00b', '\u0000', '\uffff']) {
      expect(sha256Hex(s)).toBe(node(Buffer.from(s, 'utf8')));
      expect(Array.from(utf8Encode(s))).toEqual(Array.from(Buffer.from(s, 'utf8')));
    }
  });

  it('agrees with node:crypto on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        const ours = sha256Bytes(bytes);
        return ours.length === 32 && sha256Hex(bytes) === node(bytes);
      }),
      { numRuns: 500 },
    );
  });
});
