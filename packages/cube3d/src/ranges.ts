/**
 * Exact ranges of the shown dimensions: for each, "from" and "to" sliders (by index) and text fields that show
 * and take coordinates as people write them (dates, degrees, depths). Dragging faces, zooming and the kernel
 * change the ranges too; `update` keeps the controls in step with them.
 */
import { formatCoordinate, nearestIndex, parseCoordinate } from './labels';

/** A shown dimension with its coordinate values and attributes (for labels and typed values). */
export interface IRangeDim {
  name: string;
  size: number;
  values: ArrayLike<number>;
  attrs: Record<string, unknown>;
}

interface IRow {
  dim: IRangeDim;
  from: HTMLInputElement;
  to: HTMLInputElement;
  fromText: HTMLInputElement;
  toText: HTMLInputElement;
  count: HTMLSpanElement;
}

export class RangeControls {
  readonly node = document.createElement('div');
  private readonly rows: IRow[];
  private ranges: [number, number][];

  constructor(
    dims: IRangeDim[],
    ranges: [number, number][],
    private readonly onChange: (ranges: [number, number][]) => void,
    private readonly onError: (message: string) => void
  ) {
    this.node.className = 'esdl-Cube3D-ranges';
    this.node.setAttribute('role', 'group');
    this.node.setAttribute('aria-label', 'Ranges of the shown dimensions');
    this.ranges = ranges.map(r => [...r] as [number, number]);
    this.rows = dims.map((dim, axis) => this.row(dim, axis));
    this.update(ranges);
  }

  /** Shows the given [start, end) ranges. */
  update(ranges: [number, number][]): void {
    this.ranges = ranges.map(r => [...r] as [number, number]);
    this.rows.forEach((row, axis) => {
      const [start, end] = this.ranges[axis];
      row.from.value = String(start);
      row.to.value = String(end - 1);
      row.fromText.value = this.label(row.dim, start);
      row.toText.value = this.label(row.dim, end - 1);
      row.count.textContent = `${end - start} of ${row.dim.size}`;
    });
  }

  private label(dim: IRangeDim, index: number): string {
    return formatCoordinate(dim.name, dim.values[index], dim.attrs, dim.values);
  }

  /** Sets one end of a dimension's range (an index, inclusive) and tells the cube; the other end yields. */
  private set(axis: number, which: 'from' | 'to', index: number): void {
    const ranges = this.ranges.map(r => [...r] as [number, number]);
    const size = this.rows[axis].dim.size;
    const clamped = Math.max(0, Math.min(size - 1, index));
    if (which === 'from') {
      ranges[axis] = [clamped, Math.max(ranges[axis][1], clamped + 1)];
    } else {
      ranges[axis] = [Math.min(ranges[axis][0], clamped), clamped + 1];
    }
    this.update(ranges);
    this.onChange(ranges);
  }

  private row(dim: IRangeDim, axis: number): IRow {
    const line = document.createElement('div');
    line.className = 'esdl-Cube3D-rangeRow';
    const name = document.createElement('span');
    name.className = 'esdl-Cube3D-rangeName';
    name.textContent = dim.name;
    const slider = (which: 'from' | 'to'): HTMLInputElement => {
      const input = document.createElement('input');
      input.type = 'range';
      input.min = '0';
      input.max = String(dim.size - 1);
      input.step = '1';
      input.setAttribute('aria-label', `${dim.name} ${which}`);
      input.addEventListener('input', () => this.set(axis, which, Number(input.value)));
      return input;
    };
    const text = (which: 'from' | 'to'): HTMLInputElement => {
      const input = document.createElement('input');
      input.type = 'text';
      input.className = 'esdl-Cube3D-rangeText';
      input.setAttribute('aria-label', `${dim.name} ${which} (a coordinate)`);
      input.addEventListener('change', () => {
        const value = parseCoordinate(dim.name, input.value, dim.attrs);
        if (value === undefined) {
          const example = this.label(dim, 0);
          this.onError(`"${input.value}" is not a ${dim.name} value; type one like ${example}.`);
          this.update(this.ranges);
          return;
        }
        this.set(axis, which, nearestIndex(dim.name, dim.values, value));
      });
      return input;
    };
    const row: IRow = {
      dim,
      from: slider('from'),
      to: slider('to'),
      fromText: text('from'),
      toText: text('to'),
      count: document.createElement('span')
    };
    row.count.className = 'esdl-Cube3D-rangeCount';
    line.append(name, row.fromText, row.from, row.to, row.toText, row.count);
    this.node.append(line);
    return row;
  }
}
