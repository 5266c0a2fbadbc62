import { nameForContent, sniffFileType, type FileType } from './file-type.js';

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

describe('nameForContent', () => {
  const png = sniffFileType(Buffer.from('89504e470d0a1a0a00', 'hex')) as FileType;
  const jpeg = sniffFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])) as FileType;

  it('keeps a name whose extension agrees with the content, in any case and any of its spellings', () => {
    expect(nameForContent('scan.PNG', png)).toEqual({ name: 'scan.PNG' });
    expect(nameForContent('房屋.jpeg', jpeg)).toEqual({ name: '房屋.jpeg' });
  });

  it("gives a name without an extension the content's", () => {
    expect(nameForContent('scan', png)).toEqual({ name: 'scan.png' });
  });

  it('names the type a disagreeing name claims', () => {
    expect(nameForContent('p.pdf', png)).toEqual({ claimed: 'PDF' });
    expect(nameForContent('photo.jpg', png)).toEqual({ claimed: 'JPG' });
  });
});
