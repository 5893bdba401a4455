import { describe, expect, it } from 'vitest';
import { GifEncoder, lzwEncode, quantize } from '../src/gif';

/** GIF's LZW decoder (the reference algorithm of the GIF89a specification), to read back what was encoded. */
function lzwDecode(data: Uint8Array, minCodeSize = 8): number[] {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  let codeSize = minCodeSize + 1;
  let table: number[][] = [];
  const reset = (): void => {
    table = Array.from({ length: clear + 2 }, (_, i) => (i < clear ? [i] : []));
    codeSize = minCodeSize + 1;
  };
  reset();
  const out: number[] = [];
  let previous: number[] | null = null;
  let bitPos = 0;
  while (bitPos + codeSize <= data.length * 8) {
    let code = 0;
    for (let i = 0; i < codeSize; i++, bitPos++) {
      code |= ((data[bitPos >> 3] >> (bitPos & 7)) & 1) << i;
    }
    if (code === clear) {
      reset();
      previous = null;
      continue;
    }
    if (code === end) {
      return out;
    }
    let entry: number[];
    if (code < table.length) {
      entry = table[code];
      if (previous) {
        table.push([...previous, entry[0]]);
      }
    } else {
      entry = [...previous!, previous![0]];
      table.push(entry);
    }
    out.push(...entry);
    previous = entry;
    if (table.length === 1 << codeSize && codeSize < 12) {
      codeSize += 1;
    }
  }
  throw new Error('no end code');
}

interface IDecoded {
  width: number;
  height: number;
  loops: boolean;
  frames: { delay: number; palette: Uint8Array; indices: number[] }[];
}

/** Walks the GIF's blocks: the header, the loop extension, and each frame's delay, palette and pixels. */
function decodeGif(gif: Uint8Array): IDecoded {
  expect(String.fromCharCode(...gif.subarray(0, 6))).toBe('GIF89a');
  const word = (at: number): number => gif[at] | (gif[at + 1] << 8);
  const result: IDecoded = { width: word(6), height: word(8), loops: false, frames: [] };
  let at = 13;
  let delay = 0;
  const subBlocks = (): Uint8Array => {
    const parts: number[] = [];
    while (gif[at] !== 0) {
      parts.push(...gif.subarray(at + 1, at + 1 + gif[at]));
      at += gif[at] + 1;
    }
    at += 1;
    return Uint8Array.from(parts);
  };
  for (;;) {
    const introducer = gif[at++];
    if (introducer === 0x3b) {
      expect(at).toBe(gif.length);
      return result;
    }
    if (introducer === 0x21) {
      const label = gif[at++];
      const body = subBlocks();
      if (label === 0xf9) {
        delay = body[1] | (body[2] << 8);
      } else if (label === 0xff) {
        result.loops = String.fromCharCode(...body.subarray(0, 11)) === 'NETSCAPE2.0';
      }
      continue;
    }
    expect(introducer).toBe(0x2c);
    expect([word(at + 4), word(at + 6)]).toEqual([result.width, result.height]);
    const packed = gif[at + 8];
    expect(packed & 0x80).toBe(0x80);
    const entries = 2 << (packed & 7);
    at += 9;
    const palette = gif.slice(at, at + entries * 3);
    at += entries * 3;
    const minCodeSize = gif[at++];
    result.frames.push({ delay, palette, indices: lzwDecode(subBlocks(), minCodeSize) });
  }
}

/** An RGBA frame of `width` × `height` from a function of the pixel. */
function frame(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      rgba.set([...colour(x, y), 255], (y * width + x) * 4);
    }
  }
  return rgba;
}

describe('GIF encoder', () => {
  it('round-trips LZW through the reference decoder, across a table reset', () => {
    const random = new Uint8Array(20_000);
    let seed = 7;
    for (let i = 0; i < random.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      random[i] = seed >>> 24;
    }
    const runs = Uint8Array.from({ length: 50_000 }, (_, i) => Math.floor(i / 37) % 5);
    for (const indices of [random, runs, new Uint8Array(1), Uint8Array.from([3, 3, 3, 3, 3, 3, 3])]) {
      expect(lzwDecode(lzwEncode(indices))).toEqual([...indices]);
    }
    // repetitive data compresses
    expect(lzwEncode(runs).length).toBeLessThan(runs.length / 10);
  });

  it('keeps up to 256 colours exactly (at 5 bits per channel) and maps the rest to near ones', () => {
    const few = frame(16, 16, x => [x * 16, 255 - x * 16, 128]);
    const { indices, palette } = quantize(few);
    for (let i = 0; i < 256; i++) {
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(palette[indices[i] * 3 + c] - few[i * 4 + c])).toBeLessThanOrEqual(4);
      }
    }
    const many = frame(64, 64, (x, y) => [x * 4, y * 4, (x + y) * 2]);
    const reduced = quantize(many);
    let worst = 0;
    for (let i = 0; i < 64 * 64; i++) {
      for (let c = 0; c < 3; c++) {
        worst = Math.max(worst, Math.abs(reduced.palette[reduced.indices[i] * 3 + c] - many[i * 4 + c]));
      }
    }
    expect(worst).toBeLessThan(24);
  });

  it('writes a looping GIF whose frames, delays and pixels read back', () => {
    const colours: [number, number, number][] = [
      [200, 40, 40],
      [40, 200, 40],
      [40, 40, 200]
    ];
    const encoder = new GifEncoder(30, 20, 250);
    for (const [i, colour] of colours.entries()) {
      encoder.addFrame(frame(30, 20, x => (x < 10 * (i + 1) ? colour : [255, 255, 255])));
    }
    const decoded = decodeGif(encoder.finish());
    expect([decoded.width, decoded.height, decoded.loops]).toEqual([30, 20, true]);
    expect(decoded.frames).toHaveLength(3);
    for (const [i, { delay, palette, indices }] of decoded.frames.entries()) {
      expect(delay).toBe(25);
      expect(indices).toHaveLength(600);
      const at = (x: number, y: number): number[] => [
        ...palette.subarray(indices[y * 30 + x] * 3, indices[y * 30 + x] * 3 + 3)
      ];
      expect(at(0, 0)).toEqual(colours[i].map(c => (c & ~7) | 4));
      expect(at(29, 19)).toEqual(i === 2 ? colours[2].map(c => (c & ~7) | 4) : [252, 252, 252]);
    }
  });

  it('refuses frames of the wrong size and a GIF without frames', () => {
    const encoder = new GifEncoder(4, 4, 100);
    expect(() => encoder.addFrame(new Uint8Array(10))).toThrow('A frame of 4 × 4 pixels has 64 bytes.');
    expect(() => encoder.finish()).toThrow('at least one frame');
    expect(() => new GifEncoder(0, 4, 100)).toThrow('1 to 65535 pixels');
  });
});
