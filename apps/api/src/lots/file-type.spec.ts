import { sniffFileType } from './file-type.js';

describe('upload content check (magic bytes)', () => {
  it('recognises JPEG, PNG, WebP and PDF by content', () => {
    expect(sniffFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))?.mime).toBe('image/jpeg');
    expect(sniffFileType(Buffer.from('89504e470d0a1a0a00', 'hex'))?.mime).toBe('image/png');
    expect(sniffFileType(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]))?.mime).toBe('image/webp');
    expect(sniffFileType(Buffer.from('%PDF-1.7\n'))?.kind).toBe('document');
  });
  it('refuses anything else, whatever its name', () => {
    expect(sniffFileType(Buffer.from('<svg onload=alert(1)>'))).toBeNull();
    expect(sniffFileType(Buffer.from('MZ\x90\x00'))).toBeNull();
    expect(sniffFileType(Buffer.alloc(0))).toBeNull();
  });
});
