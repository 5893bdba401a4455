/**
 * Time series of places: a small canvas chart (one line per place, values on hover) and CSV export.
 */
import { Aggregation, IPlace } from './model';
import { IXcubeTimeSeriesValue } from '@esdl-lab/core';

export const PLACE_COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4'];

/** The value of a step that a chart shows: the median when asked for (areas have one), else the mean. */
export function stepValue(value: IXcubeTimeSeriesValue, aggregation: Aggregation): number | null {
  const v = aggregation === 'median' && value.median !== undefined ? value.median : value.mean;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** `12.5° N 140° W`, or `area from 12.5° N 140° W` for an area. */
export function placeLabel(place: { longitude: number; latitude: number; ring?: unknown }): string {
  if (place.ring) {
    return `area from ${pointLabel(place)}`;
  }
  return pointLabel(place);
}

function pointLabel(place: { longitude: number; latitude: number }): string {
  const lat = `${Math.abs(place.latitude).toFixed(1)}° ${place.latitude >= 0 ? 'N' : 'S'}`;
  const lon = `${Math.abs(place.longitude).toFixed(1)}° ${place.longitude >= 0 ? 'E' : 'W'}`;
  return `${lat} ${lon}`;
}

/** A time label as short as it can be while still telling the steps apart. */
export function timeLabel(time: string): string {
  const match = /^(-?\d{4,})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(time);
  if (!match) {
    return time;
  }
  const [, year, month, day] = match;
  return `${year}-${month}-${day}`;
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The places' time series as CSV: one row per time, one column per place (empty where no value). */
export function placesCsv(places: IPlace[], units: string, aggregation: Aggregation = 'mean'): string {
  const loaded = places.filter(p => p.values && p.values.length > 0);
  const times: string[] = [];
  const seen = new Set<string>();
  for (const place of loaded) {
    for (const value of place.values!) {
      if (!seen.has(value.time)) {
        seen.add(value.time);
        times.push(value.time);
      }
    }
  }
  times.sort();
  const header = [
    'time',
    ...loaded.flatMap(p => {
      const name = `${p.dataset}.${p.variable} at ${placeLabel(p)}`;
      const unit = units ? ` (${units})` : '';
      if (!p.ring) {
        return [`${name}${unit}`];
      }
      return aggregation === 'meanstd'
        ? [`${name} mean${unit}`, `${name} std${unit}`]
        : [`${name} ${aggregation}${unit}`];
    })
  ];
  const text = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
  const rows = times.map(time => [
    time,
    ...loaded.flatMap(p => {
      const value = p.values!.find(v => v.time === time);
      if (!value) {
        return p.ring && aggregation === 'meanstd' ? ['', ''] : [''];
      }
      if (p.ring && aggregation === 'meanstd') {
        return [text(value.mean), text(value.std)];
      }
      return [text(stepValue(value, p.ring ? aggregation : 'mean'))];
    })
  ]);
  return [header, ...rows].map(row => row.map(csvField).join(',')).join('\n') + '\n';
}

/** Draws the places' series into a canvas; returns the x positions of the steps for hover. */
export function drawSeries(
  canvas: HTMLCanvasElement,
  places: IPlace[],
  options: { text: string; grid: string; hover?: number | null; aggregation?: Aggregation }
): { times: string[]; xs: number[] } {
  const aggregation = options.aggregation ?? 'mean';
  const valueOf = (place: IPlace, value: IXcubeTimeSeriesValue) => stepValue(value, place.ring ? aggregation : 'mean');
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 300;
  const height = canvas.clientHeight || 150;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d');
  const loaded = places.filter(p => p.values && p.values.length > 0);
  const times = loaded[0]?.values?.map(v => v.time) ?? [];
  if (!ctx || times.length === 0) {
    return { times: [], xs: [] };
  }
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  let min = Infinity;
  let max = -Infinity;
  for (const place of loaded) {
    for (const value of place.values!) {
      const v = valueOf(place, value);
      if (v !== null) {
        const spread = place.ring && aggregation === 'meanstd' ? (value.std ?? 0) : 0;
        min = Math.min(min, v - spread);
        max = Math.max(max, v + spread);
      }
    }
  }
  if (!Number.isFinite(min)) {
    ctx.fillStyle = options.text;
    ctx.fillText('No values at these places', 10, height / 2);
    return { times, xs: [] };
  }
  if (max === min) {
    max = min + 1;
  }
  const left = 44;
  const right = 8;
  const top = 8;
  const bottom = 20;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const xs = times.map((_, i) => left + (times.length === 1 ? plotW / 2 : (i * plotW) / (times.length - 1)));
  const y = (v: number) => top + plotH - ((v - min) / (max - min)) * plotH;
  ctx.strokeStyle = options.grid;
  ctx.fillStyle = options.text;
  ctx.font = '10px sans-serif';
  ctx.lineWidth = 1;
  for (const v of [min, (min + max) / 2, max]) {
    ctx.beginPath();
    ctx.moveTo(left, y(v));
    ctx.lineTo(left + plotW, y(v));
    ctx.stroke();
    ctx.fillText(v.toPrecision(3), 2, y(v) + 3);
  }
  const step = Math.max(1, Math.ceil(times.length / 6));
  for (let i = 0; i < times.length; i += step) {
    ctx.fillText(timeLabel(times[i]), Math.min(xs[i] - 20, width - 62), height - 5);
  }
  for (const place of loaded) {
    const colour = PLACE_COLOURS[(place.id - 1) % PLACE_COLOURS.length];
    if (place.ring && aggregation === 'meanstd') {
      // the band of mean ± one standard deviation
      ctx.fillStyle = `${colour}40`;
      ctx.beginPath();
      const upper = place.values!.map((v, i) => [xs[i], (v.mean ?? NaN) + (v.std ?? 0)] as const);
      const lower = place.values!.map((v, i) => [xs[i], (v.mean ?? NaN) - (v.std ?? 0)] as const).reverse();
      [...upper, ...lower]
        .filter(([, v]) => Number.isFinite(v))
        .forEach(([x, v], i) => (i === 0 ? ctx.moveTo(x, y(v)) : ctx.lineTo(x, y(v))));
      ctx.closePath();
      ctx.fill();
    }
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let pen = false;
    place.values!.forEach((value, i) => {
      const v = valueOf(place, value);
      if (v === null) {
        pen = false;
        return;
      }
      if (pen) {
        ctx.lineTo(xs[i], y(v));
      } else {
        ctx.moveTo(xs[i], y(v));
        pen = true;
      }
    });
    ctx.stroke();
    place.values!.forEach((value, i) => {
      const v = valueOf(place, value);
      if (v !== null) {
        ctx.beginPath();
        ctx.arc(xs[i], y(v), 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    });
  }
  if (options.hover !== null && options.hover !== undefined && xs[options.hover] !== undefined) {
    ctx.strokeStyle = options.text;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(xs[options.hover], top);
    ctx.lineTo(xs[options.hover], top + plotH);
    ctx.stroke();
  }
  return { times, xs };
}
