import { describe, expect, it } from 'vitest';
import { animationFilename, animationFrames, CubeAnimator, IAnimatedCube } from '../src/animation';

/** A cube that records what the animator does, and draws each new range after a short delay. */
class FakeCube implements IAnimatedCube {
  readonly ref = { dataset: 'coads', variable: 'SST' };
  readonly shownDims = [
    { name: 'time', size: 6 },
    { name: 'lat', size: 4 },
    { name: 'lon', size: 5 }
  ];
  readonly canvas = null;
  ranges: [number, number][] = [
    [1, 5],
    [0, 4],
    [0, 5]
  ];
  readonly calls: { ranges: [number, number][]; notify: boolean }[] = [];
  drawing = false;
  /** the ranges on show when each drawn() resolved */
  readonly drawnRanges: [number, number][][] = [];

  setRanges(ranges: [number, number][], notify = false): void {
    this.calls.push({ ranges, notify });
    this.ranges = ranges.map(r => [...r]);
    this.drawing = true;
    setTimeout(() => (this.drawing = false), 2);
  }

  coordinateLabel(axis: number, index: number): string {
    return `${this.shownDims[axis].name}#${index}`;
  }

  async drawn(): Promise<void> {
    while (this.drawing) {
      await new Promise(resolve => setTimeout(resolve, 1));
    }
    this.drawnRanges.push(this.ranges.map(r => [...r]));
  }
}

describe('animation frames', () => {
  it('sweep the front face of the axis from the range start to its last index', () => {
    const ranges: [number, number][] = [
      [1, 4],
      [0, 4],
      [2, 5]
    ];
    expect(animationFrames(ranges, 0)).toEqual([
      [
        [1, 4],
        [0, 4],
        [2, 5]
      ],
      [
        [2, 4],
        [0, 4],
        [2, 5]
      ],
      [
        [3, 4],
        [0, 4],
        [2, 5]
      ]
    ]);
    expect(animationFrames(ranges, 2).map(f => f[2])).toEqual([
      [2, 5],
      [3, 5],
      [4, 5]
    ]);
  });

  it('are named <variable>-<dim>', () => {
    expect(animationFilename(new FakeCube(), 0, 'gif')).toBe('SST-time.gif');
  });
});

describe('CubeAnimator', () => {
  it('records every frame once, each fully drawn, untold to the kernel, then puts the ranges back', async () => {
    const cube = new FakeCube();
    const animator = new CubeAnimator(cube);
    const seen: string[] = [];
    await animator.record((index, total) => {
      expect(cube.drawing).toBe(false);
      seen.push(`${index + 1}/${total} ${cube.ranges[0].join('-')}`);
    });
    expect(seen).toEqual(['1/4 1-5', '2/4 2-5', '3/4 3-5', '4/4 4-5']);
    expect(cube.calls.every(call => !call.notify)).toBe(true);
    expect(cube.ranges).toEqual([
      [1, 5],
      [0, 4],
      [0, 5]
    ]);
    expect(animator.busy).toBe(false);
  });

  it('plays to the end, telling the kernel each frame, and starts again from the first', async () => {
    const cube = new FakeCube();
    const animator = new CubeAnimator(cube);
    animator.axis = 1;
    animator.fps = 200;
    await animator.play();
    expect(cube.drawnRanges.map(r => r[1][0])).toEqual([0, 1, 2, 3]);
    expect(cube.calls.slice(1).every(call => call.notify)).toBe(true);
    expect(animator.playing).toBe(false);
    expect(animator.frame).toEqual({ index: 3, total: 4 });
    await animator.play();
    expect(cube.drawnRanges.map(r => r[1][0])).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('pauses at a frame, resumes from it, and starts afresh after the user moves the cube', async () => {
    const cube = new FakeCube();
    const animator = new CubeAnimator(cube);
    animator.fps = 50;
    animator.loop = true;
    const playing = animator.play();
    while (cube.drawnRanges.length < 2) {
      await new Promise(resolve => setTimeout(resolve, 1));
    }
    animator.pause();
    await playing;
    const paused = cube.ranges[0][0];
    expect(paused).toBeGreaterThan(1);
    animator.fps = 1000;
    animator.loop = false;
    await animator.play();
    expect(cube.drawnRanges.slice(2).map(r => r[0][0])).toEqual(
      Array.from({ length: 5 - paused }, (_, i) => paused + i)
    );
    // a drag elsewhere: the next play sweeps the new ranges from their start
    cube.setRanges([
      [2, 4],
      [0, 4],
      [0, 5]
    ]);
    cube.drawnRanges.length = 0;
    await animator.play();
    expect(cube.drawnRanges.map(r => r[0][0])).toEqual([2, 3]);
  });

  it('loops until paused', async () => {
    const cube = new FakeCube();
    const animator = new CubeAnimator(cube);
    animator.axis = 2;
    animator.fps = 1000;
    animator.loop = true;
    const playing = animator.play();
    while (cube.drawnRanges.length < 12) {
      await new Promise(resolve => setTimeout(resolve, 1));
    }
    animator.pause();
    await playing;
    expect(cube.drawnRanges.slice(0, 12).map(r => r[2][0])).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]);
  });

  it('refuses an axis the cube does not show', async () => {
    const animator = new CubeAnimator(new FakeCube());
    animator.axis = 3;
    await expect(animator.record(() => undefined)).rejects.toThrow('There is no shown dimension 3; the cube shows 3.');
  });
});
