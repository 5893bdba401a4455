/**
 * Animation of a cube along one shown dimension: play/pause/loop at a chosen rate, and export as an animated GIF
 * or a WebM video. Every frame is fully drawn (`drawn()`) before it is shown for its time or recorded, so no
 * frame shows a checkerboard. Uses only the cube widget's public API, so that a fake cube tests the stepping.
 */
import { GifEncoder } from './gif';

/** The part of the cube widget an animation uses. */
export interface IAnimatedCube {
  readonly ref?: { dataset: string; variable?: string };
  readonly ranges: [number, number][];
  readonly shownDims: { name: string; size: number }[];
  readonly canvas: HTMLCanvasElement | null;
  setRanges(ranges: [number, number][], notify?: boolean): void;
  coordinateLabel(axis: number, index: number): string;
  drawn(timeoutMs?: number): Promise<void>;
}

/**
 * The ranges of each frame of an animation along `axis`: the front face of that axis sweeps from the range's
 * start to its last index, [i, end), as dragging that face through the cube does in Lexcube, so every slice
 * shows once, whole, on the face one looks at, with the rest of the cube behind it.
 */
export function animationFrames(ranges: [number, number][], axis: number): [number, number][][] {
  const [start, end] = ranges[axis];
  return Array.from(
    { length: end - start },
    (_, i) => ranges.map((range, a) => (a === axis ? [start + i, end] : [...range])) as [number, number][]
  );
}

function sameRanges(a: [number, number][], b: [number, number][]): boolean {
  return a.length === b.length && a.every((r, i) => r[0] === b[i][0] && r[1] === b[i][1]);
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

/** Steps a cube through the frames of an animation: played at `fps`, or recorded frame by frame. */
export class CubeAnimator {
  /** the shown dimension (0, 1 or 2) the animation runs along */
  axis = 0;
  fps = 4;
  loop = false;
  /** told when playing starts or stops and on every frame shown */
  onChange: (() => void) | null = null;
  private base: [number, number][] | null = null;
  private baseAxis = -1;
  private position = 0;
  private session = 0;
  private running = false;
  private recording = false;

  constructor(private readonly cube: IAnimatedCube) {}

  get playing(): boolean {
    return this.running;
  }

  get busy(): boolean {
    return this.running || this.recording;
  }

  /** The frame shown (0-based) and how many there are. */
  get frame(): { index: number; total: number } {
    return { index: this.position, total: this.base ? animationFrames(this.base, this.axis).length : 0 };
  }

  /** Plays from the frame shown (from the first after the end or after the user moved the cube) until paused. */
  async play(): Promise<void> {
    if (this.busy) {
      return;
    }
    const frames = this.prepare();
    if (this.position >= frames.length - 1) {
      this.position = 0;
    }
    const session = ++this.session;
    this.running = true;
    this.onChange?.();
    const live = (): boolean => this.running && session === this.session;
    try {
      while (live()) {
        const started = Date.now();
        // told to the kernel like a drag, so that Python's ranges follow what is shown
        this.cube.setRanges(frames[this.position], true);
        await this.cube.drawn();
        this.onChange?.();
        await sleep(Math.max(0, 1000 / this.fps - (Date.now() - started)));
        if (!live()) {
          break;
        }
        if (this.position < frames.length - 1) {
          this.position += 1;
        } else if (this.loop) {
          this.position = 0;
        } else {
          break;
        }
      }
    } finally {
      if (session === this.session) {
        this.running = false;
        this.onChange?.();
      }
    }
  }

  /** Stops at the frame shown. */
  pause(): void {
    if (this.running) {
      this.running = false;
      this.session += 1;
      this.onChange?.();
    }
  }

  /**
   * Shows every frame once, from the first, and calls `onFrame` when it is fully drawn; then puts back the
   * ranges shown before. Not told to the kernel: the recording is not the user's choice of ranges.
   */
  async record(onFrame: (index: number, total: number) => Promise<void> | void): Promise<void> {
    if (this.recording) {
      throw new Error('An export is already running; wait for it to finish.');
    }
    this.pause();
    const before = this.cube.ranges;
    const frames = this.prepare();
    this.recording = true;
    this.onChange?.();
    try {
      for (const [index, ranges] of frames.entries()) {
        this.cube.setRanges(ranges);
        await this.cube.drawn();
        await onFrame(index, frames.length);
      }
    } finally {
      this.cube.setRanges(before);
      this.recording = false;
      this.onChange?.();
    }
  }

  /** The frames, from the ranges shown unless they are still those of this animation's frame. */
  private prepare(): [number, number][][] {
    if (this.axis < 0 || this.axis >= this.cube.shownDims.length) {
      throw new Error(`There is no shown dimension ${this.axis}; the cube shows ${this.cube.shownDims.length}.`);
    }
    const current = this.cube.ranges;
    let frames = this.base && this.baseAxis === this.axis ? animationFrames(this.base, this.axis) : [];
    if (!frames[this.position] || !sameRanges(frames[this.position], current)) {
      this.base = current;
      this.baseAxis = this.axis;
      this.position = 0;
      frames = animationFrames(current, this.axis);
    }
    return frames;
  }
}

/** The cube's picture with its background and the frame's coordinate, on a 2D canvas (labels are HTML). */
class FrameComposer {
  readonly canvas = document.createElement('canvas');
  private readonly context: CanvasRenderingContext2D;
  private readonly background: string;
  private readonly text: string;
  private readonly font: string;

  constructor(private readonly source: HTMLCanvasElement) {
    this.canvas.width = source.width;
    this.canvas.height = source.height;
    const context = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!context) {
      throw new Error('The browser gave no 2D canvas to compose the frames on.');
    }
    this.context = context;
    const style = getComputedStyle(source);
    this.background = style.getPropertyValue('--jp-layout-color0').trim() || '#ffffff';
    this.text = style.getPropertyValue('--jp-ui-font-color1').trim() || '#000000';
    const family = style.getPropertyValue('--jp-ui-font-family').trim() || 'sans-serif';
    this.font = `${Math.round(13 * (source.width / Math.max(1, source.clientWidth || source.width)))}px ${family}`;
  }

  compose(caption: string): void {
    const { context, canvas } = this;
    context.fillStyle = this.background;
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(this.source, 0, 0, canvas.width, canvas.height);
    context.fillStyle = this.text;
    context.font = this.font;
    context.textBaseline = 'top';
    context.fillText(caption, canvas.height / 40, canvas.height / 40);
  }

  pixels(): Uint8ClampedArray {
    return this.context.getImageData(0, 0, this.canvas.width, this.canvas.height).data;
  }
}

function composer(cube: IAnimatedCube): FrameComposer {
  if (!cube.canvas || cube.canvas.width === 0 || cube.canvas.height === 0) {
    throw new Error('The cube is not drawn yet; wait until it shows, then export.');
  }
  return new FrameComposer(cube.canvas);
}

/** The caption of a frame: the animated dimension and the coordinate of the front face. */
function caption(cube: IAnimatedCube, axis: number): string {
  const index = cube.ranges[axis][0];
  return `${cube.shownDims[axis].name} ${cube.coordinateLabel(axis, index)}`;
}

/** Records the animation as a looping GIF, each frame shown for 1/fps s. */
export async function recordGif(
  cube: IAnimatedCube,
  animator: CubeAnimator,
  progress: (text: string) => void = () => undefined
): Promise<Uint8Array<ArrayBuffer>> {
  const frames = composer(cube);
  const encoder = new GifEncoder(frames.canvas.width, frames.canvas.height, 1000 / animator.fps);
  await animator.record((index, total) => {
    frames.compose(caption(cube, animator.axis));
    encoder.addFrame(frames.pixels());
    progress(`GIF: frame ${index + 1} of ${total}`);
  });
  return encoder.finish();
}

/** Why this browser cannot record WebM video, or null when it can. */
export function webmUnsupported(): string | null {
  if (typeof MediaRecorder === 'undefined' || typeof HTMLCanvasElement.prototype.captureStream !== 'function') {
    return 'This browser cannot record video from a canvas (no MediaRecorder); export a GIF instead.';
  }
  if (!MediaRecorder.isTypeSupported('video/webm')) {
    return 'This browser cannot record WebM video; export a GIF instead.';
  }
  return null;
}

/**
 * Records the animation as a WebM video: each frame is composed on a canvas of its own and captured when due,
 * so the cube draws the next frame while the recorded one holds; a frame slower than 1/fps to draw holds the
 * one before longer. (Pausing the recorder while a frame loads would even this out, but Chromium then drops
 * frames.)
 */
export async function recordWebM(
  cube: IAnimatedCube,
  animator: CubeAnimator,
  progress: (text: string) => void = () => undefined
): Promise<Blob> {
  const unsupported = webmUnsupported();
  if (unsupported) {
    throw new Error(unsupported);
  }
  const frames = composer(cube);
  const stream = frames.canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
  const mimeType = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find(type =>
    MediaRecorder.isTypeSupported(type)
  )!;
  const recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: 4_000_000 });
  const chunks: Blob[] = [];
  recorder.ondataavailable = event => chunks.push(event.data);
  const stopped = new Promise<void>((resolve, reject) => {
    recorder.onstop = () => resolve();
    recorder.onerror = event => reject(new Error(`The video recorder failed: ${String(event)}`));
  });
  const hold = 1000 / animator.fps;
  // a frame is due `hold` ms after the one before; the next one draws while the recorded picture holds
  let due = 0;
  const waitUntilDue = async (): Promise<void> => {
    const now = performance.now();
    if (now < due) {
      await sleep(due - now);
    } else {
      due = now;
    }
  };
  recorder.start();
  try {
    await animator.record(async (index, total) => {
      await waitUntilDue();
      frames.compose(caption(cube, animator.axis));
      track.requestFrame();
      due += hold;
      progress(`WebM: frame ${index + 1} of ${total}`);
      if (index === total - 1) {
        // the last frame again, so that it lasts 1/fps too (composed again: an unchanged canvas gives no frame)
        await waitUntilDue();
        frames.compose(caption(cube, animator.axis));
        track.requestFrame();
        await sleep(Math.min(hold, 100));
      }
    });
  } finally {
    recorder.stop();
    track.stop();
  }
  await stopped;
  return new Blob(chunks, { type: 'video/webm' });
}

/** Offers `data` as a download named `filename`. */
function download(data: Blob, filename: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(data);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // the browser reads the URL after the click returns
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** `<variable>-<dim>.<ext>`, safe as a file name. */
export function animationFilename(cube: IAnimatedCube, axis: number, extension: string): string {
  const name = cube.ref?.variable || cube.ref?.dataset || 'cube';
  return `${name}-${cube.shownDims[axis]?.name ?? axis}.${extension}`.replace(/[^\w.-]+/g, '_');
}

/**
 * The animation's toolbar controls: the dimension to animate along, Play/Pause, frames per second, loop, and
 * export as GIF or WebM (downloaded), with a status line that screen readers hear.
 */
export function createAnimationControls(cube: IAnimatedCube): HTMLElement {
  const animator = new CubeAnimator(cube);
  const group = document.createElement('div');
  group.className = 'esdl-Cube3D-animation';
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', 'Animation');
  const dimSelect = document.createElement('select');
  dimSelect.setAttribute('aria-label', 'Animate along');
  dimSelect.title = 'The dimension to animate along: its front face moves through the cube';
  const fillDims = (): void => {
    if (dimSelect.options.length === 0) {
      cube.shownDims.forEach((dim, axis) => dimSelect.append(new Option(dim.name, String(axis))));
    }
  };
  fillDims();
  // the cube may still be loading when the controls are made
  dimSelect.addEventListener('focus', fillDims);
  const play = document.createElement('button');
  play.className = 'esdl-Cube3D-play';
  const fps = document.createElement('input');
  fps.type = 'number';
  fps.min = '1';
  fps.max = '30';
  fps.step = '1';
  fps.value = String(animator.fps);
  fps.style.width = '3.5em';
  fps.setAttribute('aria-label', 'Frames per second');
  fps.title = 'Frames per second';
  const loopLabel = document.createElement('label');
  const loop = document.createElement('input');
  loop.type = 'checkbox';
  loopLabel.append(loop, ' loop');
  const gif = document.createElement('button');
  gif.textContent = 'Export GIF';
  gif.title = 'Record every frame of the animation as a looping GIF and download it';
  const webm = document.createElement('button');
  webm.textContent = 'Export WebM';
  webm.title = 'Record the animation as a WebM video and download it';
  const status = document.createElement('span');
  status.className = 'esdl-Cube3D-animationStatus';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  group.append(dimSelect, play, fps, 'fps', loopLabel, gif, webm, status);

  const settings = (): boolean => {
    fillDims();
    const rate = Number(fps.value);
    if (!(Number.isFinite(rate) && rate >= 1 && rate <= 30)) {
      status.textContent = 'Frames per second must be a number from 1 to 30.';
      return false;
    }
    if (!animator.busy) {
      animator.axis = Number(dimSelect.value || 0);
    }
    animator.fps = rate;
    animator.loop = loop.checked;
    return true;
  };
  const update = (): void => {
    play.textContent = animator.playing ? 'Pause' : 'Play';
    play.setAttribute('aria-pressed', String(animator.playing));
    play.title = animator.playing ? 'Stop at this frame' : 'Step the front face through the chosen dimension';
    // nothing else moves the cube while an export records it
    play.disabled = animator.busy && !animator.playing;
    dimSelect.disabled = animator.busy;
    gif.disabled = webm.disabled = animator.busy;
    const { index, total } = animator.frame;
    if (animator.playing && total > 0) {
      status.textContent = `Frame ${index + 1} of ${total}: ${caption(cube, animator.axis)}`;
    }
  };
  animator.onChange = update;
  update();
  play.addEventListener('click', () => {
    if (animator.playing) {
      animator.pause();
    } else if (settings()) {
      animator.play().catch(error => (status.textContent = (error as Error).message));
    }
  });
  for (const input of [fps, loop]) {
    input.addEventListener('change', settings);
  }
  const exporter = (extension: string, record: () => Promise<Blob>): (() => Promise<void>) => {
    return async () => {
      if (!settings()) {
        return;
      }
      const filename = animationFilename(cube, animator.axis, extension);
      try {
        const file = await record();
        download(file, filename);
        status.textContent = `Saved ${filename} (${Math.ceil(file.size / 1024)} KiB)`;
      } catch (error) {
        status.textContent = `${extension.toUpperCase()} export failed: ${(error as Error).message}`;
      }
    };
  };
  const report = (text: string): void => {
    status.textContent = text;
  };
  gif.addEventListener(
    'click',
    exporter('gif', async () => new Blob([await recordGif(cube, animator, report)], { type: 'image/gif' }))
  );
  webm.addEventListener(
    'click',
    exporter('webm', () => recordWebM(cube, animator, report))
  );
  const unsupported = webmUnsupported();
  if (unsupported) {
    webm.title = unsupported;
  }
  return group;
}
