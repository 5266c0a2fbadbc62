import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readStoredFile } from './upload.js';

describe('readStoredFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fapai-upload-spec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads what was stored, and answers null for content gone from disk (lot and report files answer a coded 404)', async () => {
    writeFileSync(path.join(dir, 'a.png'), Buffer.from([1, 2, 3]));
    expect(await readStoredFile(dir, 'a.png')).toEqual(Buffer.from([1, 2, 3]));
    expect(await readStoredFile(dir, 'gone.png')).toBeNull();
  });

  it('any other failure is not hidden as missing', async () => {
    await expect(readStoredFile(dir, '')).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
