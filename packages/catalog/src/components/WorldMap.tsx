/**
 * A small world map (plate carrée) that shows boxes and, when `onDraw` is given, lets a user draw one by
 * dragging. Land comes from world-atlas, loaded when the first map is shown.
 */
import { BBox } from '@esdl-lab/core';
import React, { useEffect, useRef, useState } from 'react';
import { loadLandPath } from '../worldmap';

export interface IWorldMapProps {
  /** the box to show */
  bbox: BBox | null;
  /** called with the box a user drew; without it the map only shows */
  onDraw?: (bbox: BBox) => void;
  label: string;
  className?: string;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const round = (value: number) => Math.round(value * 10) / 10;

function boxRects(bbox: BBox): { x: number; y: number; width: number; height: number }[] {
  const [west, south, east, north] = bbox;
  const y = 90 - north;
  const height = Math.max(0.5, north - south);
  if (west <= east) {
    return [{ x: west + 180, y, width: Math.max(0.5, east - west), height }];
  }
  // a box across the antimeridian shows as two pieces
  return [
    { x: west + 180, y, width: 180 - west, height },
    { x: 0, y, width: east + 180, height }
  ];
}

function isSmall(bbox: BBox): boolean {
  const width = bbox[0] <= bbox[2] ? bbox[2] - bbox[0] : bbox[2] + 360 - bbox[0];
  return width < 10 && bbox[3] - bbox[1] < 10;
}

export function WorldMap(props: IWorldMapProps): JSX.Element {
  const [land, setLand] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [drawing, setDrawing] = useState<{ from: [number, number]; to: [number, number] } | null>(null);
  const svg = useRef<SVGSVGElement>(null);

  useEffect(() => {
    let live = true;
    loadLandPath().then(
      path => live && setLand(path),
      () => live && setFailed(true)
    );
    return () => {
      live = false;
    };
  }, []);

  const toLonLat = (event: React.PointerEvent): [number, number] => {
    const node = svg.current!;
    const rect = node.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * 360;
    const y = ((event.clientY - rect.top) / rect.height) * 180;
    return [round(clamp(x - 180, -180, 180)), round(clamp(90 - y, -90, 90))];
  };

  const drawn: BBox | null = drawing
    ? [
        Math.min(drawing.from[0], drawing.to[0]),
        Math.min(drawing.from[1], drawing.to[1]),
        Math.max(drawing.from[0], drawing.to[0]),
        Math.max(drawing.from[1], drawing.to[1])
      ]
    : null;
  const shown = drawn ?? props.bbox;
  const interactive = !!props.onDraw;

  return (
    <svg
      ref={svg}
      className={`esdl-WorldMap ${interactive ? 'esdl-WorldMap-interactive' : ''} ${props.className ?? ''}`}
      viewBox="0 0 360 180"
      preserveAspectRatio="none"
      role="img"
      aria-label={props.label}
      onPointerDown={
        interactive
          ? event => {
              (event.target as Element).setPointerCapture?.(event.pointerId);
              const point = toLonLat(event);
              setDrawing({ from: point, to: point });
            }
          : undefined
      }
      onPointerMove={interactive && drawing ? event => setDrawing({ ...drawing, to: toLonLat(event) }) : undefined}
      onPointerUp={
        interactive && drawing
          ? () => {
              if (drawn && drawn[2] - drawn[0] >= 1 && drawn[3] - drawn[1] >= 1) {
                props.onDraw!(drawn);
              }
              setDrawing(null);
            }
          : undefined
      }
    >
      <rect className="esdl-WorldMap-sea" x="0" y="0" width="360" height="180" />
      {land && <path className="esdl-WorldMap-land" d={land} />}
      {failed && (
        <text className="esdl-WorldMap-note" x="180" y="95" textAnchor="middle">
          coastlines unavailable
        </text>
      )}
      {shown &&
        boxRects(shown).map((rect, index) => (
          <rect key={index} className="esdl-WorldMap-box" vectorEffect="non-scaling-stroke" {...rect} />
        ))}
      {shown && !drawing && isSmall(shown) && (
        // a box too small to see gets a ring around it
        <ellipse
          className="esdl-WorldMap-marker"
          vectorEffect="non-scaling-stroke"
          cx={(shown[0] + (shown[0] <= shown[2] ? shown[2] : shown[2] + 360)) / 2 + 180}
          cy={90 - (shown[1] + shown[3]) / 2}
          rx={12}
          ry={12}
        />
      )}
    </svg>
  );
}
