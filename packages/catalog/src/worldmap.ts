/**
 * The land outline of the small maps, as an SVG path in a plate carrée of 360 x 180 units (x = lon + 180,
 * y = 90 - lat). Natural Earth's 110 m land (world-atlas) is loaded with `import()` the first time a map is
 * shown, never at JupyterLab start-up.
 */
let landPath: Promise<string> | null = null;

export function loadLandPath(): Promise<string> {
  if (!landPath) {
    landPath = (async () => {
      const [{ feature }, topology] = await Promise.all([
        import('topojson-client'),
        import('world-atlas/land-110m.json')
      ]);
      const world = (topology as any).default ?? topology;
      const land = feature(world, world.objects.land) as any;
      const polygons: number[][][][] =
        land.type === 'FeatureCollection'
          ? land.features.flatMap((f: any) =>
              f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates
            )
          : land.geometry.type === 'Polygon'
            ? [land.geometry.coordinates]
            : land.geometry.coordinates;
      const parts: string[] = [];
      for (const polygon of polygons) {
        for (const ring of polygon) {
          let previousLon: number | null = null;
          ring.forEach(([lon, lat], index) => {
            // a jump across the antimeridian starts a new piece instead of a line across the map
            const jump = previousLon !== null && Math.abs(lon - previousLon) > 180;
            parts.push(`${index === 0 || jump ? 'M' : 'L'}${(lon + 180).toFixed(2)} ${(90 - lat).toFixed(2)}`);
            previousLon = lon;
          });
          parts.push('Z');
        }
      }
      return parts.join('');
    })();
    landPath.catch(() => {
      landPath = null;
    });
  }
  return landPath;
}
