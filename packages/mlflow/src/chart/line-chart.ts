/**
 * A canvas line chart for metric histories: one line per run, each with its own x values (runs are sampled
 * at different steps, so there is no shared x column to align). Lines are cut down per pixel column before
 * drawing, so 100 runs or a 100,000-point history draw in a few milliseconds. Drag to zoom into x, double-click
 * to zoom out, hover for the values of every run at that x. Colours of text and grid come from JupyterLab's
 * CSS variables, so light and dark themes work.
 */
import { ISeries, downsample, lowerBound, yExtent } from '../model/series';
import { formatValue } from '../model/format';
import { AxisKind, ITick, padRange, ticks } from './axis';

export interface ILineChartOptions {
  /** how x is labelled: steps, wall-clock times, or seconds since the start */
  xKind: 'steps' | 'linear' | 'time' | 'seconds';
  logY: boolean;
  xLabel: string;
}

interface ITheme {
  text: string;
  muted: string;
  grid: string;
  frame: string;
  font: string;
  background: string;
}

const MARGIN = { top: 10, right: 14, bottom: 34, left: 10 };

function cssVar(element: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

/** The x value and the values of each series near it, for the hover tooltip. */
export interface IHover {
  x: number;
  items: { label: string; color: string; x: number; y: number }[];
}

export class LineChart {
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
    this.canvas.addEventListener('mouseleave', this._onLeave);
    this.canvas.addEventListener('mousedown', this._onDown);
    this.canvas.addEventListener('dblclick', this._onDoubleClick);
    if (typeof ResizeObserver !== 'undefined') {
      this._resize = new ResizeObserver(() => this.draw());
      this._resize.observe(host);
    }
  }

  readonly host: HTMLElement;
  readonly canvas: HTMLCanvasElement;

  /** Sets what to draw, keeping the zoom only while the x axis stays the same kind. */
  setData(series: ISeries[], options: ILineChartOptions): void {
    if (!this._options || this._options.xKind !== options.xKind) {
      this._zoom = null;
    }
    this._series = series;
    this._options = options;
    this.canvas.setAttribute(
      'aria-label',
      `${options.xLabel} chart of ${series.length} run${series.length === 1 ? '' : 's'}${options.logY ? ', log scale' : ''}`
    );
    this.draw();
  }

  /** Hides the series with these ids (the legend's toggles). */
  setHidden(ids: ReadonlySet<string>): void {
    this._hidden = ids;
    this.draw();
  }

  /** The full x range of the visible series. */
  xExtent(): [number, number] | null {
    let min = Infinity;
    let max = -Infinity;
    for (const s of this._visible()) {
      if (s.x.length) {
        min = Math.min(min, s.x[0]);
        max = Math.max(max, s.x[s.x.length - 1]);
      }
    }
    return min <= max ? [min, max] : null;
  }

  /** Draws now (it also draws on every change and resize). */
  draw(): void {
    const options = this._options;
    const width = this.host.clientWidth;
    const height = this.host.clientHeight;
    if (!options || width < 20 || height < 20) {
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) {
      return;
    }
    const theme = this._theme();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = theme.font;
    const series = this._visible();
    const full = this.xExtent();
    if (!full) {
      ctx.fillStyle = theme.muted;
      ctx.textAlign = 'center';
      ctx.fillText('No values', width / 2, height / 2);
      return;
    }
    let [x0, x1] = this._zoom ?? full;
    if (x1 <= x0) {
      [x0, x1] = padRange(x0, x1, false);
    }
    const extent = yExtent(series, x0, x1, options.logY);
    const [y0, y1] = extent ? padRange(extent[0], extent[1], options.logY) : options.logY ? [0.1, 1] : [0, 1];
    const yKind: AxisKind = options.logY ? 'log' : 'linear';
    const yTicks = ticks(yKind, y0, y1, Math.max(2, Math.floor(height / 50)));
    const labelWidth = Math.max(...yTicks.map(t => ctx.measureText(t.label).width), 10);
    const left = MARGIN.left + labelWidth + 6;
    const plot = {
      left,
      top: MARGIN.top,
      width: Math.max(10, width - left - MARGIN.right),
      height: Math.max(10, height - MARGIN.top - MARGIN.bottom)
    };
    const ly0 = options.logY ? Math.log10(y0) : y0;
    const ly1 = options.logY ? Math.log10(y1) : y1;
    const sx = plot.width / (x1 - x0);
    const sy = plot.height / (ly1 - ly0);
    const px = (x: number) => plot.left + (x - x0) * sx;
    const py = (y: number) => plot.top + plot.height - ((options.logY ? Math.log10(y) : y) - ly0) * sy;
    this._layout = { plot, x0, x1, px, toX: (p: number) => x0 + (p - plot.left) / sx, py };

    const xTicks = ticks(options.xKind, x0, x1, Math.max(2, Math.floor(plot.width / 90)));
    this._drawAxes(ctx, theme, plot, xTicks, yTicks, px, py, options.xLabel);

    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.left, plot.top, plot.width, plot.height);
    ctx.clip();
    ctx.lineWidth = 1.5;
    ctx.lineJoin = 'round';
    const buckets = Math.max(1, Math.round(plot.width));
    for (const s of series) {
      const { x, y } = downsample(s.x, s.y, x0, x1, buckets);
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < x.length; i++) {
        const v = y[i];
        if (!Number.isFinite(v) || (options.logY && v <= 0)) {
          pen = false;
          continue;
        }
        const cx = px(x[i]);
        const cy = py(v);
        if (pen) {
          ctx.lineTo(cx, cy);
        } else {
          ctx.moveTo(cx, cy);
          pen = true;
        }
      }
      ctx.stroke();
      // sparse histories (a few points, or a single one) also show their points
      if (x.length <= Math.max(2, plot.width / 12)) {
        for (let i = 0; i < x.length; i++) {
          if (Number.isFinite(y[i]) && !(options.logY && y[i] <= 0)) {
            ctx.beginPath();
            ctx.arc(px(x[i]), py(y[i]), 2.5, 0, 2 * Math.PI);
            ctx.fill();
          }
        }
      }
    }
    ctx.restore();

    if (this._drag) {
      const a = Math.max(plot.left, Math.min(this._drag.from, this._drag.to));
      const b = Math.min(plot.left + plot.width, Math.max(this._drag.from, this._drag.to));
      ctx.fillStyle = theme.grid;
      ctx.globalAlpha = 0.5;
      ctx.fillRect(a, plot.top, b - a, plot.height);
      ctx.globalAlpha = 1;
    }
    if (this._hoverX !== null) {
      this._drawHover(ctx, theme);
    }
  }

  /** What the tooltip shows at a pixel column (for tests and the tooltip). */
  hoverAt(pixelX: number): IHover | null {
    const layout = this._layout;
    if (!layout || pixelX < layout.plot.left || pixelX > layout.plot.left + layout.plot.width) {
      return null;
    }
    const x = layout.toX(pixelX);
    const items: IHover['items'] = [];
    for (const s of this._visible()) {
      const n = s.x.length;
      if (!n) {
        continue;
      }
      let i = lowerBound(s.x, x);
      if (i >= n || (i > 0 && x - s.x[i - 1] < s.x[i] - x)) {
        i = Math.max(0, i - 1);
      }
      // a run whose history does not reach this x is left out of the tooltip
      if (Math.abs(layout.px(s.x[i]) - pixelX) > 40) {
        continue;
      }
      items.push({ label: s.label, color: s.color, x: s.x[i], y: s.y[i] });
    }
    return { x, items };
  }

  dispose(): void {
    this._resize?.disconnect();
    this.canvas.removeEventListener('mousemove', this._onMove);
    this.canvas.removeEventListener('mouseleave', this._onLeave);
    this.canvas.removeEventListener('mousedown', this._onDown);
    this.canvas.removeEventListener('dblclick', this._onDoubleClick);
    window.removeEventListener('mouseup', this._onUp);
    this.canvas.remove();
    this._tooltip.remove();
    this.host.classList.remove('esdl-MlflowChart');
  }

  private _visible(): ISeries[] {
    return this._series.filter(s => !this._hidden.has(s.id));
  }

  private _theme(): ITheme {
    const host = this.host;
    const size = cssVar(host, '--jp-ui-font-size0', '11px');
    return {
      text: cssVar(host, '--jp-ui-font-color1', '#333'),
      muted: cssVar(host, '--jp-ui-font-color2', '#777'),
      grid: cssVar(host, '--jp-border-color2', '#ddd'),
      frame: cssVar(host, '--jp-border-color1', '#bbb'),
      font: `${size} ${cssVar(host, '--jp-ui-font-family', 'sans-serif')}`,
      background: cssVar(host, '--jp-layout-color1', '#fff')
    };
  }

  private _drawAxes(
    ctx: CanvasRenderingContext2D,
    theme: ITheme,
    plot: { left: number; top: number; width: number; height: number },
    xTicks: ITick[],
    yTicks: ITick[],
    px: (x: number) => number,
    py: (y: number) => number,
    xLabel: string
  ): void {
    ctx.lineWidth = 1;
    ctx.strokeStyle = theme.grid;
    ctx.beginPath();
    for (const t of yTicks) {
      const y = Math.round(py(t.value)) + 0.5;
      if (y >= plot.top && y <= plot.top + plot.height) {
        ctx.moveTo(plot.left, y);
        ctx.lineTo(plot.left + plot.width, y);
      }
    }
    for (const t of xTicks) {
      const x = Math.round(px(t.value)) + 0.5;
      if (x >= plot.left && x <= plot.left + plot.width) {
        ctx.moveTo(x, plot.top);
        ctx.lineTo(x, plot.top + plot.height);
      }
    }
    ctx.stroke();
    ctx.strokeStyle = theme.frame;
    ctx.strokeRect(plot.left + 0.5, plot.top + 0.5, plot.width, plot.height);
    ctx.fillStyle = theme.muted;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yTicks) {
      const y = py(t.value);
      if (y >= plot.top - 1 && y <= plot.top + plot.height + 1) {
        ctx.fillText(t.label, plot.left - 6, y);
      }
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of xTicks) {
      const x = px(t.value);
      if (x >= plot.left - 1 && x <= plot.left + plot.width + 1) {
        ctx.fillText(t.label, x, plot.top + plot.height + 4);
      }
    }
    ctx.fillStyle = theme.text;
    ctx.fillText(xLabel, plot.left + plot.width / 2, plot.top + plot.height + 19);
  }

  private _drawHover(ctx: CanvasRenderingContext2D, theme: ITheme): void {
    const layout = this._layout;
    const hover = this._hoverX === null ? null : this.hoverAt(this._hoverX);
    if (!layout || !hover || !this._options) {
      this._tooltip.hidden = true;
      return;
    }
    ctx.strokeStyle = theme.frame;
    ctx.beginPath();
    ctx.moveTo(Math.round(this._hoverX!) + 0.5, layout.plot.top);
    ctx.lineTo(Math.round(this._hoverX!) + 0.5, layout.plot.top + layout.plot.height);
    ctx.stroke();
    for (const item of hover.items) {
      if (Number.isFinite(item.y) && !(this._options.logY && item.y <= 0)) {
        ctx.fillStyle = item.color;
        ctx.beginPath();
        ctx.arc(layout.px(item.x), layout.py(item.y), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    this._showTooltip(hover);
  }

  private _showTooltip(hover: IHover): void {
    const tooltip = this._tooltip;
    const options = this._options!;
    tooltip.replaceChildren();
    const items = [...hover.items].sort((a, b) => (b.y || 0) - (a.y || 0)).slice(0, 12);
    if (!items.length) {
      tooltip.hidden = true;
      return;
    }
    const head = document.createElement('div');
    head.className = 'esdl-MlflowChart-tooltipHead';
    head.textContent = `${options.xLabel} ${formatX(items[0].x, options.xKind)}`;
    tooltip.append(head);
    for (const item of items) {
      const row = document.createElement('div');
      const swatch = document.createElement('span');
      swatch.className = 'esdl-MlflowChart-swatch';
      swatch.style.background = item.color;
      const label = document.createElement('span');
      label.className = 'esdl-MlflowChart-tooltipLabel';
      label.textContent = item.label;
      const value = document.createElement('span');
      value.className = 'esdl-MlflowChart-tooltipValue';
      value.textContent = formatValue(item.y);
      row.append(swatch, label, value);
      tooltip.append(row);
    }
    if (hover.items.length > items.length) {
      const more = document.createElement('div');
      more.textContent = `… and ${hover.items.length - items.length} more`;
      tooltip.append(more);
    }
    tooltip.hidden = false;
    const x = this._hoverX ?? 0;
    const right = x > this.host.clientWidth / 2;
    tooltip.style.left = right ? '' : `${x + 12}px`;
    tooltip.style.right = right ? `${this.host.clientWidth - x + 12}px` : '';
    tooltip.style.top = `${MARGIN.top + 4}px`;
  }

  private _offsetX(event: MouseEvent): number {
    return event.clientX - this.canvas.getBoundingClientRect().left;
  }

  private _onMove = (event: MouseEvent): void => {
    const x = this._offsetX(event);
    if (this._drag) {
      this._drag.to = x;
    }
    this._hoverX = x;
    this._scheduleDraw();
  };

  private _onLeave = (): void => {
    this._hoverX = null;
    this._tooltip.hidden = true;
    this._scheduleDraw();
  };

  private _onDown = (event: MouseEvent): void => {
    if (event.button !== 0) {
      return;
    }
    const x = this._offsetX(event);
    this._drag = { from: x, to: x };
    window.addEventListener('mouseup', this._onUp);
  };

  private _onUp = (): void => {
    window.removeEventListener('mouseup', this._onUp);
    const drag = this._drag;
    this._drag = null;
    const layout = this._layout;
    if (drag && layout && Math.abs(drag.to - drag.from) > 4) {
      const a = layout.toX(Math.min(drag.from, drag.to));
      const b = layout.toX(Math.max(drag.from, drag.to));
      this._zoom = [Math.max(a, layout.x0), Math.min(b, layout.x1)];
    }
    this._scheduleDraw();
  };

  private _onDoubleClick = (): void => {
    this._zoom = null;
    this.draw();
  };

  private _scheduleDraw(): void {
    if (this._frame === null) {
      this._frame = requestAnimationFrame(() => {
        this._frame = null;
        this.draw();
      });
    }
  }

  private _series: ISeries[] = [];
  private _hidden: ReadonlySet<string> = new Set();
  private _options: ILineChartOptions | null = null;
  private _zoom: [number, number] | null = null;
  private _drag: { from: number; to: number } | null = null;
  private _hoverX: number | null = null;
  private _frame: number | null = null;
  private _tooltip: HTMLDivElement;
  private _resize: ResizeObserver | null = null;
  private _layout: {
    plot: { left: number; top: number; width: number; height: number };
    x0: number;
    x1: number;
    px: (x: number) => number;
    py: (y: number) => number;
    toX: (pixel: number) => number;
  } | null = null;
}

/** An x value as the axis writes it. */
export function formatX(x: number, kind: ILineChartOptions['xKind']): string {
  if (kind === 'time') {
    return new Date(x).toLocaleString();
  }
  if (kind === 'seconds') {
    return `${formatValue(Number(x.toPrecision(4)))} s`;
  }
  return formatValue(x);
}
