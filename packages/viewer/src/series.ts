/**
 * Time series of places: a small canvas chart (one line per place, values on hover) and CSV export.
 */
import { IPlace } from './model';

export const PLACE_COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4'];

/** `12.5° N 140° W`. */
export function placeLabel(place: { longitude: number; latitude: number }): string {
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
export function placesCsv(places: IPlace[], units: string): string {
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
    ...loaded.map(p => `${p.dataset}.${p.variable} at ${placeLabel(p)}${units ? ` (${units})` : ''}`)
  ];
  const rows = times.map(time => [
    time,
    ...loaded.map(p => {
      const v = p.values!.find(value => value.time === time)?.mean;
      return typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
    })
  ]);
  return [header, ...rows].map(row => row.map(csvField).join(',')).join('\n') + '\n';
}

/** Draws the places' series into a canvas; returns the x positions of the steps for hover. */
export function drawSeries(
  canvas: HTMLCanvasElement,
  places: IPlace[],
  options: { text: string; grid: string; hover?: number | null }
): { times: string[]; xs: number[] } {
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
      if (typeof value.mean === 'number' && Number.isFinite(value.mean)) {
        min = Math.min(min, value.mean);
        max = Math.max(max, value.mean);
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
    ctx.strokeStyle = PLACE_COLOURS[(place.id - 1) % PLACE_COLOURS.length];
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let pen = false;
    place.values!.forEach((value, i) => {
      if (typeof value.mean !== 'number' || !Number.isFinite(value.mean)) {
        pen = false;
        return;
      }
      if (pen) {
        ctx.lineTo(xs[i], y(value.mean));
      } else {
        ctx.moveTo(xs[i], y(value.mean));
        pen = true;
      }
    });
    ctx.stroke();
    place.values!.forEach((value, i) => {
      if (typeof value.mean === 'number' && Number.isFinite(value.mean)) {
        ctx.beginPath();
        ctx.arc(xs[i], y(value.mean), 2.5, 0, 2 * Math.PI);
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
