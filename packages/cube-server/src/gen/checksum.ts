/** Streams a file through sha256, so that provenance can name exactly which bytes a cube was made from. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export async function fileChecksum(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return { sha256: hash.digest('hex'), bytes: (await stat(path)).size };
}
