/**
 * An animated GIF encoder for the cube's animation export: each frame gets its own palette of at most 256
 * colours (median cut) and is LZW compressed. DOM-free, so that it is unit-tested; the caller passes RGBA pixels read from the canvas.
 */

/** A frame's colours as palette indices and the palette (r, g, b triples), at most 256 colours. */
export interface IIndexedFrame {
  indices: Uint8Array;
  palette: Uint8Array;
}

/** The red, green or blue level (0-31) of a 5-bit-per-channel colour bin. */
function level(bin: number, channel: number): number {
  return (bin >> (10 - channel * 5)) & 31;
}

/** A set of colour bins that becomes one palette entry. */
interface IBox {
  bins: number[];
  pixels: number;
  /** the longest channel's extent and which channel it is */
  extent: number;
  channel: number;
}

function makeBox(bins: number[], histogram: Uint32Array): IBox {
  let [extent, channel, pixels] = [-1, 0, 0];
  for (const bin of bins) {
    pixels += histogram[bin];
  }
  for (let c = 0; c < 3; c++) {
    let [low, high] = [31, 0];
    for (const bin of bins) {
      low = Math.min(low, level(bin, c));
      high = Math.max(high, level(bin, c));
    }
    if (high - low > extent) {
      [extent, channel] = [high - low, c];
    }
  }
  return { bins, pixels, extent, channel };
}

/**
 * Reduces RGBA pixels (alpha ignored: the caller composites on a background) to at most 256 colours by median
 * cut over 5-bit-per-channel bins: a frame with up to 256 such colours (a colour map on a plain background)
 * keeps each of them, a richer one gets the boxes with the most pixels and spread split first.
 */
export function quantize(rgba: Uint8Array | Uint8ClampedArray): IIndexedFrame {
  const count = rgba.length >> 2;
  const bins = new Uint16Array(count);
  const histogram = new Uint32Array(32768);
  for (let i = 0; i < count; i++) {
    const bin = ((rgba[i * 4] >> 3) << 10) | ((rgba[i * 4 + 1] >> 3) << 5) | (rgba[i * 4 + 2] >> 3);
    bins[i] = bin;
    histogram[bin] += 1;
  }
  const used: number[] = [];
  for (let bin = 0; bin < 32768; bin++) {
    if (histogram[bin] > 0) {
      used.push(bin);
    }
  }
  const boxes = [makeBox(used, histogram)];
  while (boxes.length < 256) {
    let pick = -1;
    for (let i = 0; i < boxes.length; i++) {
      const box = boxes[i];
      if (box.bins.length > 1 && (pick < 0 || box.extent * box.pixels > boxes[pick].extent * boxes[pick].pixels)) {
        pick = i;
      }
    }
    if (pick < 0) {
      break;
    }
    const { bins: members, pixels, channel } = boxes[pick];
    members.sort((a, b) => level(a, channel) - level(b, channel));
    let [cut, seen] = [1, histogram[members[0]]];
    while (cut < members.length - 1 && seen + histogram[members[cut]] <= pixels / 2) {
      seen += histogram[members[cut++]];
    }
    boxes.splice(pick, 1, makeBox(members.slice(0, cut), histogram), makeBox(members.slice(cut), histogram));
  }
  const palette = new Uint8Array(256 * 3);
  const lookup = new Uint8Array(32768);
  boxes.forEach((box, index) => {
    const sums = [0, 0, 0];
    for (const bin of box.bins) {
      lookup[bin] = index;
      for (let c = 0; c < 3; c++) {
        sums[c] += ((level(bin, c) << 3) | 4) * histogram[bin];
      }
    }
    palette.set(
      sums.map(sum => Math.round(sum / box.pixels)),
      index * 3
    );
  });
  const indices = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    indices[i] = lookup[bins[i]];
  }
  return { indices, palette };
}

/** A growing byte buffer. */
class ByteWriter {
  private bytes: Uint8Array<ArrayBuffer> = new Uint8Array(1 << 16);
  length = 0;

  byte(value: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = value;
  }

  word(value: number): void {
    this.byte(value & 0xff);
    this.byte((value >> 8) & 0xff);
  }

  write(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      this.byte(values[i]);
    }
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.bytes.slice(0, this.length);
  }
}

/** GIF's variable-length LZW of 8-bit palette indices, as the bytes of the image data (without sub-blocks). */
export function lzwEncode(indices: Uint8Array): Uint8Array<ArrayBuffer> {
  const clear = 256;
  const end = 257;
  const out = new ByteWriter();
  let bits = 0;
  let bitCount = 0;
  const emit = (code: number, size: number): void => {
    bits |= code << bitCount;
    bitCount += size;
    while (bitCount >= 8) {
      out.byte(bits & 0xff);
      bits >>>= 8;
      bitCount -= 8;
    }
  };
  const table = new Map<number, number>();
  let codeSize = 9;
  let next = 258;
  emit(clear, codeSize);
  if (indices.length > 0) {
    let prefix = indices[0];
    for (let i = 1; i < indices.length; i++) {
      const key = (prefix << 8) | indices[i];
      const known = table.get(key);
      if (known !== undefined) {
        prefix = known;
        continue;
      }
      emit(prefix, codeSize);
      if (next === 4096) {
        // the table is full: start again, as every decoder expects
        emit(clear, codeSize);
        table.clear();
        codeSize = 9;
        next = 258;
      } else {
        if (next >= 1 << codeSize) {
          codeSize += 1;
        }
        table.set(key, next++);
      }
      prefix = indices[i];
    }
    emit(prefix, codeSize);
  }
  emit(end, codeSize);
  if (bitCount > 0) {
    out.byte(bits & 0xff);
  }
  return out.result();
}

/** Collects frames of one size and writes them as a looping animated GIF. */
export class GifEncoder {
  private readonly out = new ByteWriter();
  private frames = 0;

  /** `delayMs`: how long each frame shows (GIF counts in hundredths of a second, at least 2). */
  constructor(
    readonly width: number,
    readonly height: number,
    private readonly delayMs: number
  ) {
    if (!(width > 0 && height > 0 && width < 65536 && height < 65536)) {
      throw new Error(`A GIF frame must be 1 to 65535 pixels wide and high, not ${width} × ${height}.`);
    }
    this.out.write([...'GIF89a'].map(c => c.charCodeAt(0)));
    this.out.word(width);
    this.out.word(height);
    // no global colour table: each frame brings its own
    this.out.write([0, 0, 0]);
    // the NETSCAPE2.0 extension: loop for ever
    this.out.write([0x21, 0xff, 0x0b, ...[...'NETSCAPE2.0'].map(c => c.charCodeAt(0)), 3, 1, 0, 0, 0]);
  }

  /** Adds a frame of RGBA pixels, row by row from the top, `width` × `height` of them. */
  addFrame(rgba: Uint8Array | Uint8ClampedArray): void {
    if (rgba.length !== this.width * this.height * 4) {
      throw new Error(`A frame of ${this.width} × ${this.height} pixels has ${this.width * this.height * 4} bytes.`);
    }
    const { indices, palette } = quantize(rgba);
    const delay = Math.max(2, Math.round(this.delayMs / 10));
    // graphic control: no transparency, the frame replaces the previous one
    this.out.write([0x21, 0xf9, 4, 0x04]);
    this.out.word(delay);
    this.out.write([0, 0]);
    this.out.byte(0x2c);
    this.out.word(0);
    this.out.word(0);
    this.out.word(this.width);
    this.out.word(this.height);
    // a local colour table of 256 entries, not interlaced
    this.out.byte(0x87);
    this.out.write(palette);
    this.out.byte(8);
    const data = lzwEncode(indices);
    for (let i = 0; i < data.length; i += 255) {
      const block = data.subarray(i, i + 255);
      this.out.byte(block.length);
      this.out.write(block);
    }
    this.out.byte(0);
    this.frames += 1;
  }

  /** The GIF file; at least one frame must have been added. */
  finish(): Uint8Array<ArrayBuffer> {
    if (this.frames === 0) {
      throw new Error('A GIF needs at least one frame.');
    }
    this.out.byte(0x3b);
    return this.out.result();
  }
}
