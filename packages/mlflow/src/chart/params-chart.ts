/**
 * Params against a metric, on a canvas: a scatter plot of one param (x) against the metric (y), or parallel
 * coordinates of several params and the metric, each run a line coloured by its metric value.
 */
import { IValueAxis } from '../model/compare';

import { ITick, linearTicks, padRange } from './axis';

export interface IParamsChartRun {
  id: string;
  label: string;
  color: string;
}

function cssVar(element: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

/** Where values of an axis go on a line of `length` pixels, and its ticks. */
function scale(axis: IValueAxis, length: number): { at: (v: number) => number; ticks: ITick[] } {
  if (axis.kind === 'category') {
    const n = Math.max(1, axis.categories.length);
    const step = length / n;
    return {
      at: v => (v + 0.5) * step,
      ticks: axis.categories.map((label, i) => ({ value: i, label }))
    };
  }
  const finite = axis.values.filter((v): v is number => v !== null);
  const [min, max] = finite.length ? padRange(Math.min(...finite), Math.max(...finite), false) : [0, 1];
  return {
    at: v => ((v - min) / (max - min)) * length,
    ticks: linearTicks(min, max, Math.max(2, Math.floor(length / 60)))
  };
}

/** From blue (low) through grey to orange (high): the colour of a metric value in parallel coordinates. */
export function valueColor(fraction: number): string {
  const t = Math.max(0, Math.min(1, fraction));
  const from = [31, 119, 180];
  const mid = [150, 150, 150];
  const to = [255, 127, 14];
  const [a, b, u] = t < 0.5 ? [from, mid, t * 2] : [mid, to, (t - 0.5) * 2];
  const c = a.map((v, i) => Math.round(v + (b[i] - v) * u));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

export class ParamsChart {
  constructor(host: HTMLElement) {
    this.host = host;
    host.classList.add('esdl-MlflowChart');
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'esdl-MlflowChart-canvas';
    this.canvas.setAttribute('role', 'img');
    this._tooltip = document.createElement('div');
    this._tooltip.className = 'esdl-MlflowChart-tooltip';
    this._tooltip.hidden = true;
    host.append(this.canvas, this._tooltip);
    this.canvas.addEventListener('mousemove', this._onMove);
    this.canvas.addEventListener('mouseleave', () => (this._tooltip.hidden = true));
    if (typeof ResizeObserver !== 'undefined') {
      this._resize = new ResizeObserver(() => this.draw());
      this._resize.observe(host);
    }
  }

  readonly host: HTMLElement;
  readonly canvas: HTMLCanvasElement;

  /** A scatter plot of `x` against `y`. */
  scatter(runs: IParamsChartRun[], x: IValueAxis, y: IValueAxis): void {
    this._mode = { kind: 'scatter', runs, x, y };
    this.canvas.setAttribute('aria-label', `Scatter plot of ${y.key} against ${x.key}`);
    this.draw();
  }

  /** Parallel coordinates of `axes` (the last one the metric that colours the lines). */
  parallel(runs: IParamsChartRun[], axes: IValueAxis[]): void {
    this._mode = { kind: 'parallel', runs, axes };
    this.canvas.setAttribute('aria-label', `Parallel coordinates of ${axes.map(a => a.key).join(', ')}`);
    this.draw();
  }

  draw(): void {
    const width = this.host.clientWidth;
    const height = this.host.clientHeight;
    const mode = this._mode;
    if (!mode || width < 40 || height < 40) {
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) {
      return;
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const size = cssVar(this.host, '--jp-ui-font-size0', '11px');
    ctx.font = `${size} ${cssVar(this.host, '--jp-ui-font-family', 'sans-serif')}`;
    const text = cssVar(this.host, '--jp-ui-font-color1', '#333');
    const muted = cssVar(this.host, '--jp-ui-font-color2', '#777');
    const grid = cssVar(this.host, '--jp-border-color2', '#ddd');
    this._points = [];
    if (mode.kind === 'scatter') {
      this._drawScatter(ctx, width, height, mode, { text, muted, grid });
    } else {
      this._drawParallel(ctx, width, height, mode, { text, muted, grid });
    }
  }

  dispose(): void {
    this._resize?.disconnect();
    this.canvas.removeEventListener('mousemove', this._onMove);
    this.canvas.remove();
    this._tooltip.remove();
    this.host.classList.remove('esdl-MlflowChart');
  }

  private _drawScatter(
    ctx: CanvasRenderingContext2D,
    width: number,
    height: number,
    mode: { runs: IParamsChartRun[]; x: IValueAxis; y: IValueAxis },
    colors: { text: string; muted: string; grid: string }
  ): void {
    const yScale = scale(mode.y, 1);
    const labelWidth = Math.max(20, ...yScale.ticks.map(t => ctx.measureText(t.label).width));
    const plot = { left: labelWidth + 14, top: 10, width: width - labelWidth - 28, height: height - 46 };
    const sx = scale(mode.x, plot.width);
    const sy = scale(mode.y, plot.height);
    const px = (v: number) => plot.left + sx.at(v);
    const py = (v: number) => plot.top + plot.height - sy.at(v);
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 1;
    ctx.strokeRect(plot.left + 0.5, plot.top + 0.5, plot.width, plot.height);
    ctx.fillStyle = colors.muted;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of sy.ticks) {
      const y = py(t.value);
      if (y >= plot.top - 1 && y <= plot.top + plot.height + 1) {
        ctx.fillText(t.label, plot.left - 6, y);
      }
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of sx.ticks) {
      const x = px(t.value);
      if (x >= plot.left - 1 && x <= plot.left + plot.width + 1) {
        ctx.fillText(t.label, x, plot.top + plot.height + 4);
      }
    }
    ctx.fillStyle = colors.text;
    ctx.fillText(`${mode.x.key} (param)  →  ${mode.y.key}`, plot.left + plot.width / 2, plot.top + plot.height + 20);
    mode.runs.forEach((run, i) => {
      const x = mode.x.values[i];
      const y = mode.y.values[i];
      if (x === null || y === null) {
        return;
      }
      const cx = px(x);
      const cy = py(y);
      ctx.fillStyle = run.color;
      ctx.beginPath();
      ctx.arc(cx, cy, 5, 0, 2 * Math.PI);
      ctx.fill();
      this._points.push({
        x: cx,
        y: cy,
        text: `${run.label}: ${mode.x.key} = ${mode.x.labels[i]}, ${mode.y.key} = ${mode.y.labels[i]}`
      });
    });
  }

  private _drawParallel(
    ctx: CanvasRenderingContext2D,
    width: number,
    height: number,
    mode: { runs: IParamsChartRun[]; axes: IValueAxis[] },
    colors: { text: string; muted: string; grid: string }
  ): void {
    const axes = mode.axes;
    if (axes.length < 2) {
      ctx.fillStyle = colors.muted;
      ctx.textAlign = 'center';
      ctx.fillText('Choose at least one param and a metric', width / 2, height / 2);
      return;
    }
    const top = 28;
    const bottom = height - 14;
    const left = 50;
    const right = width - 50;
    const gap = (right - left) / (axes.length - 1);
    const scales = axes.map(axis => scale(axis, bottom - top));
    const metric = axes[axes.length - 1];
    const finite = metric.values.filter((v): v is number => v !== null);
    const [mMin, mMax] = finite.length ? [Math.min(...finite), Math.max(...finite)] : [0, 1];
    ctx.lineWidth = 1.5;
    mode.runs.forEach((run, r) => {
      const m = metric.values[r];
      ctx.strokeStyle = m === null ? colors.grid : valueColor(mMax > mMin ? (m - mMin) / (mMax - mMin) : 0.5);
      ctx.beginPath();
      let pen = false;
      axes.forEach((axis, a) => {
        const v = axis.values[r];
        if (v === null) {
          pen = false;
          return;
        }
        const x = left + a * gap;
        const y = bottom - scales[a].at(v);
        if (pen) {
          ctx.lineTo(x, y);
        } else {
          ctx.moveTo(x, y);
          pen = true;
        }
        this._points.push({ x, y, text: `${run.label}: ${axis.key} = ${axis.labels[r]}` });
      });
      ctx.stroke();
    });
    axes.forEach((axis, a) => {
      const x = left + a * gap;
      ctx.strokeStyle = colors.muted;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x + 0.5, top);
      ctx.lineTo(x + 0.5, bottom);
      ctx.stroke();
      ctx.fillStyle = colors.text;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      ctx.fillText(axis.key, x, top - 10);
      ctx.fillStyle = colors.muted;
      ctx.textAlign = a === axes.length - 1 ? 'right' : 'left';
      ctx.textBaseline = 'middle';
      for (const t of scales[a].ticks) {
        const y = bottom - scales[a].at(t.value);
        if (y >= top - 1 && y <= bottom + 1) {
          ctx.fillText(
            t.label.length > 14 ? `${t.label.slice(0, 13)}…` : t.label,
            a === axes.length - 1 ? x - 4 : x + 4,
            y
          );
        }
      }
    });
  }

  private _onMove = (event: MouseEvent): void => {
    const rect = this.canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    let best: { x: number; y: number; text: string } | null = null;
    let distance = 8 * 8;
    for (const point of this._points) {
      const d = (point.x - x) ** 2 + (point.y - y) ** 2;
      if (d < distance) {
        distance = d;
        best = point;
      }
    }
    if (!best) {
      this._tooltip.hidden = true;
      return;
    }
    this._tooltip.textContent = best.text;
    this._tooltip.hidden = false;
    this._tooltip.style.left = `${Math.min(best.x + 10, this.host.clientWidth - 200)}px`;
    this._tooltip.style.top = `${best.y + 10}px`;
  };

  private _mode:
    | { kind: 'scatter'; runs: IParamsChartRun[]; x: IValueAxis; y: IValueAxis }
    | { kind: 'parallel'; runs: IParamsChartRun[]; axes: IValueAxis[] }
    | null = null;
  private _points: { x: number; y: number; text: string }[] = [];
  private _tooltip: HTMLDivElement;
  private _resize: ResizeObserver | null = null;
}
