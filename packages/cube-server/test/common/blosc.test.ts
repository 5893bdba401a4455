import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bloscDecodeJs } from '../../src/common/blosc';
import { decompress } from '../../src/common/codecs';
import { python } from '../server/support/demo-cube';

let dir: string;
let names: string[];

beforeAll(() => {
  // frames made by zarr-python's numcodecs: every element size, shuffle, level and inner codec
  dir = mkdtempSync(path.join(tmpdir(), 'blosc-frames-'));
  execFileSync(python(), [path.join(__dirname, '../fixtures/make-blosc-frames.py'), dir], { stdio: 'pipe' });
  names = readdirSync(dir)
    .filter(name => name.endsWith('.blosc'))
    .map(name => name.slice(0, -'.blosc'.length));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (name: string, ext: string) => readFileSync(path.join(dir, `${name}.${ext}`));

describe('Blosc frames of zarr-python', () => {
  it('decodes LZ4 frames with byte or no shuffle in JavaScript, exactly', () => {
    const ours = names.filter(name => name.startsWith('lz4-') && !name.includes('-s2-'));
    expect(ours.length).toBe(48);
    for (const name of ours) {
      const decoded = bloscDecodeJs(read(name, 'blosc'));
      expect(decoded, name).not.toBeNull();
      expect(Buffer.from(decoded!).equals(read(name, 'raw')), name).toBe(true);
    }
  });

  it('leaves zstd, blosclz and bit-shuffled frames to WebAssembly, and decodes every frame through decompress', async () => {
    for (const name of names) {
      const frame = read(name, 'blosc');
      if (!name.startsWith('lz4-') || name.includes('-s2-')) {
        // only frames that Blosc stored uncompressed (the memcpyed flag) need no codec
        const stored = (frame[2] & 0x2) !== 0;
        expect(bloscDecodeJs(frame) === null, name).toBe(!stored);
      }
      const decoded = await decompress(frame, { id: 'blosc' });
      expect(Buffer.from(decoded).equals(read(name, 'raw')), name).toBe(true);
    }
  });

  it('refuses corrupt frames', () => {
    const frame = read('lz4-f4-s1-c5-n20001', 'blosc');
    expect(() => bloscDecodeJs(frame.subarray(0, 10))).toThrow(/corrupt/);
    expect(() => bloscDecodeJs(frame.subarray(0, frame.length - 100))).toThrow(/corrupt/);
    const garbled = Buffer.from(frame);
    for (let i = 40; i < garbled.length; i += 7) {
      garbled[i] ^= 0x5a;
    }
    expect(() => bloscDecodeJs(garbled)).toThrow(/corrupt/);
  });
});
