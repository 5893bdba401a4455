/**
 * PNG encoding for tiles (a palette image from colour-map indices, or RGBA) and decoding of 8-bit PNGs (the
 * colour-bar images the colour maps are derived from, and tests). node:zlib does the deflating.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function header(width: number, height: number, colorType: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colorType;
  return chunk('IHDR', ihdr);
}

const IEND = chunk('IEND', new Uint8Array(0));

/**
 * An 8-bit palette PNG: `indices` (width x height, row-major) into `palette` (RGBA, 4 bytes per entry, at
 * most 256 entries). Rows are stored unfiltered: index images compress well without filters.
 */
export function encodePalettePng(
  indices: Uint8Array,
  width: number,
  height: number,
  palette: Uint8Array,
  level = 3
): Buffer {
  const raw = Buffer.allocUnsafe((width + 1) * height);
  for (let row = 0; row < height; row++) {
    const at = row * (width + 1);
    raw[at] = 0;
    raw.set(indices.subarray(row * width, (row + 1) * width), at + 1);
  }
  return encodePaletteScanlines(raw, width, height, palette, level);
}

/**
 * An 8-bit palette PNG from ready scanlines: each row a filter byte (0) and `width` indices, so that the
 * colour mapping can write them in one pass.
 */
export function encodePaletteScanlines(
  raw: Uint8Array,
  width: number,
  height: number,
  palette: Uint8Array,
  level = 3
): Buffer {
  const entries = palette.length / 4;
  const plte = new Uint8Array(entries * 3);
  let lastOpaque = -1;
  for (let i = 0; i < entries; i++) {
    plte[i * 3] = palette[i * 4];
    plte[i * 3 + 1] = palette[i * 4 + 1];
    plte[i * 3 + 2] = palette[i * 4 + 2];
    if (palette[i * 4 + 3] !== 255) {
      lastOpaque = i;
    }
  }
  const parts = [SIGNATURE, header(width, height, 3), chunk('PLTE', plte)];
  if (lastOpaque >= 0) {
    const trns = new Uint8Array(lastOpaque + 1);
    for (let i = 0; i <= lastOpaque; i++) {
      trns[i] = palette[i * 4 + 3];
    }
    parts.push(chunk('tRNS', trns));
  }
  parts.push(chunk('IDAT', deflateSync(raw, { level })), IEND);
  return Buffer.concat(parts);
}

/** An 8-bit RGBA PNG (rows filtered with "up", which suits smooth images). */
export function encodeRgbaPng(rgba: Uint8Array, width: number, height: number, level = 1): Buffer {
  const stride = width * 4;
  const raw = Buffer.allocUnsafe((stride + 1) * height);
  for (let row = 0; row < height; row++) {
    const at = row * (stride + 1);
    const src = row * stride;
    if (row === 0) {
      raw[at] = 0;
      raw.set(rgba.subarray(src, src + stride), at + 1);
    } else {
      raw[at] = 2;
      for (let i = 0; i < stride; i++) {
        raw[at + 1 + i] = (rgba[src + i] - rgba[src - stride + i]) & 255;
      }
    }
  }
  return Buffer.concat([SIGNATURE, header(width, height, 6), chunk('IDAT', deflateSync(raw, { level })), IEND]);
}

/** A decoded image: RGBA bytes, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decodes a non-interlaced 8-bit PNG (grey, RGB, palette, grey+alpha or RGBA) to RGBA. */
export function decodePng(png: Uint8Array): RgbaImage {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) {
    throw new Error('not a PNG image');
  }
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  let plte: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  const idat: Buffer[] = [];
  while (pos + 8 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + length);
    pos += 12 + length;
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colorType = data[9];
      if (data[8] !== 8 || data[12] !== 0) {
        throw new Error('only 8-bit non-interlaced PNGs are supported');
      }
    } else if (type === 'PLTE') {
      plte = data;
    } else if (type === 'tRNS') {
      trns = data;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) {
    throw new Error(`PNG colour type ${colorType} is not supported`);
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)];
    const line = raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1));
    const out = pixels.subarray(row * stride, (row + 1) * stride);
    const prev = row > 0 ? pixels.subarray((row - 1) * stride, row * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let predictor = 0;
      if (filter === 1) {
        predictor = a;
      } else if (filter === 2) {
        predictor = b;
      } else if (filter === 3) {
        predictor = (a + b) >> 1;
      } else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[i] = (line[i] + predictor) & 255;
    }
  }
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const p = i * channels;
    if (colorType === 3) {
      const index = pixels[p];
      data.set(plte!.subarray(index * 3, index * 3 + 3), i * 4);
      data[i * 4 + 3] = trns && index < trns.length ? trns[index] : 255;
    } else if (colorType === 0 || colorType === 4) {
      data[i * 4] = data[i * 4 + 1] = data[i * 4 + 2] = pixels[p];
      data[i * 4 + 3] = colorType === 4 ? pixels[p + 1] : 255;
    } else {
      data[i * 4] = pixels[p];
      data[i * 4 + 1] = pixels[p + 1];
      data[i * 4 + 2] = pixels[p + 2];
      data[i * 4 + 3] = colorType === 6 ? pixels[p + 3] : 255;
    }
  }
  return { width, height, data };
}
