import path from 'node:path';

export interface FileType {
  mime: string;
  ext: string;
  kind: 'image' | 'document';
  /** What a person calls it ("PNG"), for messages. */
  label: string;
  /** The extensions a name of this type may have. */
  extensions: string[];
}

/** Recognises allowed uploads by their content (magic bytes), never by name or declared type. */
export function sniffFileType(buf: Buffer): FileType | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return { mime: 'image/jpeg', ext: 'jpg', kind: 'image', label: 'JPEG', extensions: ['jpg', 'jpeg'] };
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { mime: 'image/png', ext: 'png', kind: 'image', label: 'PNG', extensions: ['png'] };
  if (buf.length >= 12 && buf.subarray(0, 4).toString('latin1') === 'RIFF' && buf.subarray(8, 12).toString('latin1') === 'WEBP') return { mime: 'image/webp', ext: 'webp', kind: 'image', label: 'WebP', extensions: ['webp'] };
  if (buf.length >= 5 && buf.subarray(0, 5).toString('latin1') === '%PDF-') return { mime: 'application/pdf', ext: 'pdf', kind: 'document', label: 'PDF', extensions: ['pdf'] };
  return null;
}

/**
 * The name a file is kept and served under must agree with its content, so that whoever downloads it
 * opens it with the right program: a name without an extension gets the content's, and a name that claims
 * another type ("p.pdf" holding a PNG) is refused, naming both types — the uploader most likely picked the
 * wrong file, which renaming it would hide.
 */
export function nameForContent(name: string, type: FileType): { name: string } | { claimed: string } {
  const ext = path.extname(name).slice(1).toLowerCase();
  if (!ext) return { name: `${name}.${type.ext}` };
  return type.extensions.includes(ext) ? { name } : { claimed: ext.toUpperCase() };
}
