/**
 * OGC WMTS 1.0.0 as xcube serves it, so that GDAL and QGIS read the cubes: capabilities for
 * `WorldCRS84Quad` (the default) and `WorldWebMercatorQuad`, RESTful tiles
 * `/wmts/1.0.0/tile/{id}/{var}[/{tms}]/{z}/{y}/{x}.png`, and KVP requests on `/wmts/kvp`. A layer is
 * `{dataset}.{variable}`; non-spatial dimensions are WMTS dimensions (time as ISO 8601 values).
 */
import type { ServerResponse } from 'node:http';
import { Context } from '../context';
import { Cube } from '../cube';
import { ApiError, badRequest } from '../errors';
import { Request, send, xmlEscape } from '../http';
import { TileCrs, scaleDenominator, tileCount } from '../tile-grid';
import { cubeBbox } from './datasets';
import { parseTileAddress, serveTile } from './tiles';

const TMS: Record<
  string,
  { crs: TileCrs; title: string; supportedCrs: string; wkss: string; topLeft: string; bbox: string }
> = {
  WorldCRS84Quad: {
    crs: 'CRS84',
    title: 'CRS84 for the World',
    supportedCrs: 'urn:ogc:def:crs:OGC:1.3:CRS84',
    wkss: 'urn:ogc:def:wkss:OGC:1.0:GoogleCRS84Quad',
    topLeft: '-180 90',
    bbox: '<ows:BoundingBox crs="urn:ogc:def:crs:OGC:1.3:CRS84">\n        <ows:LowerCorner>-180 -90</ows:LowerCorner>\n        <ows:UpperCorner>180 90</ows:UpperCorner>\n      </ows:BoundingBox>'
  },
  WorldWebMercatorQuad: {
    crs: 'EPSG:3857',
    title: 'Google Maps Compatible for the World',
    supportedCrs: 'urn:ogc:def:crs:EPSG::3857',
    wkss: 'urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible',
    topLeft: '-20037508.3427892 20037508.3427892',
    bbox: '<ows:BoundingBox crs="urn:ogc:def:crs:EPSG::3857">\n        <ows:LowerCorner>-20037508.3427892 -20037508.3427892</ows:LowerCorner>\n        <ows:UpperCorner>20037508.3427892 20037508.3427892</ows:UpperCorner>\n      </ows:BoundingBox>'
  }
};

function tmsOf(id: string | null | undefined, parameter: string): { id: string; crs: TileCrs } {
  const name = id ?? 'WorldCRS84Quad';
  const tms = TMS[name];
  if (!tms) {
    throw badRequest(parameter, `'${name}' is not a tile matrix set (one of ${Object.keys(TMS).join(', ')})`);
  }
  return { id: name, crs: tms.crs };
}

/** Levels 0..n that reach each cube's resolution (at least 0..9, as xcube offers). */
function maxLevel(cubes: Cube[], crs: TileCrs): number {
  let level = 9;
  for (const cube of cubes) {
    const lon = cube.levels[0].grid.lon;
    const step = Math.abs(lon.edges[lon.edges.length - 1] - lon.edges[0]) / lon.centres.length;
    const level0 = crs === 'CRS84' ? 180 / 256 : 360 / 256;
    level = Math.max(level, Math.ceil(Math.log2(level0 / step)));
  }
  return Math.min(level, 20);
}

function title(cube: Cube, variable: string): string {
  const attrs = cube.array(variable)!.attrs;
  return typeof attrs.long_name === 'string'
    ? attrs.long_name
    : typeof attrs.title === 'string'
      ? attrs.title
      : variable;
}

async function capabilities(ctx: Context, req: Request, res: ServerResponse, tmsId: string): Promise<void> {
  const tms = TMS[tmsId];
  const base = req.baseUrl;
  const layers: string[] = [];
  const themes: string[] = [];
  const cubes: Cube[] = [];
  for (const dataset of ctx.registry.listed()) {
    let cube: Cube;
    try {
      cube = await ctx.registry.cube(dataset.identifier);
    } catch {
      continue;
    }
    cubes.push(cube);
    const id = dataset.identifier;
    const dsTitle = dataset.title ?? (typeof cube.attrs.title === 'string' ? cube.attrs.title : id);
    const [w, s, e, n] = cubeBbox(cube);
    const subThemes: string[] = [];
    for (const variable of ctx.registry.variables(id, cube)) {
      const layer = `${id}.${variable}`;
      const layerTitle = `${id}/${title(cube, variable)}`;
      const dims = cube
        .array(variable)!
        .dims.slice(0, -2)
        .map(dim => {
          const d = cube.dimensions.get(dim)!;
          const values = d.labels
            .map(
              label =>
                `        <Value>${xmlEscape(d.isTime ? String(label).replace(/Z$/, '.000000000') : String(label))}</Value>\n`
            )
            .join('');
          return (
            '      <Dimension>\n' +
            `        <ows:Identifier>${xmlEscape(dim)}</ows:Identifier>\n` +
            `        <ows:Title>${xmlEscape(dim)}</ows:Title>\n` +
            `        <ows:UOM>${d.isTime ? 'ISO8601' : xmlEscape(String(d.attrs.units ?? ''))}</ows:UOM>\n` +
            `        <Default>${d.isTime ? 'current' : xmlEscape(String(d.labels[0] ?? ''))}</Default>\n` +
            (d.isTime ? '        <Current>true</Current>\n' : '') +
            values +
            '      </Dimension>\n'
          );
        })
        .join('');
      layers.push(
        '    <Layer>\n' +
          `      <ows:Identifier>${xmlEscape(layer)}</ows:Identifier>\n` +
          `      <ows:Title>${xmlEscape(layerTitle)}</ows:Title>\n` +
          '      <ows:Abstract/>\n' +
          '      <ows:WGS84BoundingBox>\n' +
          `        <ows:LowerCorner>${w} ${s}</ows:LowerCorner>\n` +
          `        <ows:UpperCorner>${e} ${n}</ows:UpperCorner>\n` +
          '      </ows:WGS84BoundingBox>\n' +
          '      <Style isDefault="true">\n        <ows:Identifier>Default</ows:Identifier>\n      </Style>\n' +
          '      <Format>image/png</Format>\n' +
          `      <TileMatrixSetLink>\n        <TileMatrixSet>${tmsId}</TileMatrixSet>\n      </TileMatrixSetLink>\n` +
          `      <ResourceURL format="image/png" resourceType="tile" template="${xmlEscape(
            `${base}/wmts/1.0.0/tile/${encodeURIComponent(id)}/${encodeURIComponent(variable)}/${tmsId}/{TileMatrix}/{TileRow}/{TileCol}.png`
          )}"/>\n` +
          dims +
          '    </Layer>\n'
      );
      subThemes.push(
        '      <Theme>\n' +
          `        <ows:Identifier>${xmlEscape(layer)}</ows:Identifier>\n` +
          `        <ows:Title>${xmlEscape(layerTitle)}</ows:Title>\n` +
          '        <ows:Abstract/>\n' +
          `        <LayerRef>${xmlEscape(layer)}</LayerRef>\n` +
          '      </Theme>\n'
      );
    }
    themes.push(
      '    <Theme>\n' +
        `      <ows:Identifier>${xmlEscape(id)}</ows:Identifier>\n` +
        `      <ows:Title>${xmlEscape(dsTitle)}</ows:Title>\n` +
        '      <ows:Abstract/>\n' +
        subThemes.join('') +
        '    </Theme>\n'
    );
  }
  const matrices: string[] = [];
  for (let z = 0; z <= maxLevel(cubes, tms.crs); z++) {
    const { cols, rows } = tileCount(tms.crs, z);
    matrices.push(
      '      <TileMatrix>\n' +
        `        <ows:Identifier>${z}</ows:Identifier>\n` +
        `        <ScaleDenominator>${scaleDenominator(tms.crs, z)}</ScaleDenominator>\n` +
        `        <TopLeftCorner>${tms.topLeft}</TopLeftCorner>\n` +
        '        <TileWidth>256</TileWidth>\n        <TileHeight>256</TileHeight>\n' +
        `        <MatrixWidth>${cols}</MatrixWidth>\n        <MatrixHeight>${rows}</MatrixHeight>\n` +
        '      </TileMatrix>\n'
    );
  }
  const operation = (name: string, rest: string) =>
    `    <ows:Operation name="${name}">\n      <ows:DCP>\n        <ows:HTTP>\n` +
    `          <ows:Get xlink:href="${xmlEscape(`${base}/wmts/kvp?`)}">\n            <ows:Constraint name="GetEncoding">\n              <ows:AllowedValues>\n                <ows:Value>KVP</ows:Value>\n              </ows:AllowedValues>\n            </ows:Constraint>\n          </ows:Get>\n` +
    `          <ows:Get xlink:href="${xmlEscape(rest)}">\n            <ows:Constraint name="GetEncoding">\n              <ows:AllowedValues>\n                <ows:Value>REST</ows:Value>\n              </ows:AllowedValues>\n            </ows:Constraint>\n          </ows:Get>\n` +
    '        </ows:HTTP>\n      </ows:DCP>\n    </ows:Operation>\n';
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/wmts/1.0 http://schemas.opengis.net/wmts/1.0.0/wmtsGetCapabilities_response.xsd" version="1.0.0">\n' +
    '  <ows:ServiceIdentification>\n    <ows:Title>ESDL cube server WMTS</ows:Title>\n' +
    '    <ows:Abstract>Web Map Tile Service (WMTS) for the data cubes of this server (xcube-compatible)</ows:Abstract>\n' +
    '    <ows:ServiceType>OGC WMTS</ows:ServiceType>\n    <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>\n' +
    '    <ows:Fees>none</ows:Fees>\n    <ows:AccessConstraints>none</ows:AccessConstraints>\n  </ows:ServiceIdentification>\n' +
    '  <ows:OperationsMetadata>\n' +
    operation('GetCapabilities', `${base}/wmts/1.0.0/${tmsId}/WMTSCapabilities.xml`) +
    operation('GetTile', `${base}/wmts/1.0.0/`) +
    '  </ows:OperationsMetadata>\n' +
    '  <Contents>\n' +
    layers.join('') +
    '    <TileMatrixSet>\n' +
    `      <ows:Identifier>${tmsId}</ows:Identifier>\n` +
    `      <ows:Title>${tms.title}</ows:Title>\n` +
    `      <ows:SupportedCRS>${tms.supportedCrs}</ows:SupportedCRS>\n` +
    `      ${tms.bbox}\n` +
    `      <WellKnownScaleSet>${tms.wkss}</WellKnownScaleSet>\n` +
    matrices.join('') +
    '    </TileMatrixSet>\n' +
    '  </Contents>\n' +
    `  <Themes>\n${themes.join('')}  </Themes>\n` +
    `  <ServiceMetadataURL xlink:href="${xmlEscape(`${base}/wmts/1.0.0/${tmsId}/WMTSCapabilities.xml`)}"/>\n` +
    '</Capabilities>\n';
  send(req, res, 200, xml, { 'Content-Type': 'application/xml' });
}

function splitLayer(layer: string | null): { id: string; variable: string } {
  const at = layer ? layer.indexOf('.') : -1;
  if (!layer || at <= 0) {
    throw badRequest('layer', `'${layer ?? ''}' is not a layer '<dataset>.<variable>'`);
  }
  return { id: layer.slice(0, at), variable: layer.slice(at + 1) };
}

/** The KVP parameters, case-insensitive as OGC services read them. */
function kvp(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of req.query) {
    out.set(key.toLowerCase(), value);
  }
  return out;
}

/** WMTS tiles without a time take the latest, as the capabilities' `<Default>current</Default>` says. */
function defaultTime(req: Request): void {
  if (!req.query.has('time')) {
    req.query.set('time', 'current');
  }
}

/** Routes under `/wmts`; returns false when the path is not theirs. */
export async function wmtsRoutes(ctx: Context, req: Request, res: ServerResponse): Promise<boolean> {
  const s = req.segments;
  if (s[0] !== 'wmts') {
    return false;
  }
  if (s[1] === 'kvp' && s.length === 2) {
    const params = kvp(req);
    if ((params.get('service') ?? 'WMTS').toUpperCase() !== 'WMTS') {
      throw badRequest('service', `'${params.get('service')}' is not WMTS`);
    }
    const request = params.get('request') ?? '';
    if (request === 'GetCapabilities') {
      await capabilities(ctx, req, res, tmsOf(params.get('tilematrixset') ?? null, 'tilematrixset').id);
      return true;
    }
    if (request === 'GetTile') {
      const tms = tmsOf(params.get('tilematrixset') ?? null, 'tilematrixset');
      const format = params.get('format') ?? 'image/png';
      if (format !== 'image/png') {
        throw badRequest('format', `'${format}' is not image/png`);
      }
      const { id, variable } = resolveLayer(ctx, params.get('layer') ?? null);
      for (const [key, value] of params) {
        if (!req.query.has(key)) {
          req.query.set(key, value);
        }
      }
      defaultTime(req);
      await serveTile(
        ctx,
        req,
        res,
        id,
        variable,
        parseTileAddress(
          tms.crs,
          params.get('tilematrix') ?? '',
          params.get('tilerow') ?? '',
          params.get('tilecol') ?? '',
          256
        ),
        tms.crs
      );
      return true;
    }
    throw badRequest('request', `'${request}' is not GetCapabilities or GetTile`);
  }
  if (s[1] !== '1.0.0') {
    return false;
  }
  if (s.length === 3 && s[2] === 'WMTSCapabilities.xml') {
    await capabilities(ctx, req, res, 'WorldCRS84Quad');
    return true;
  }
  if (s.length === 4 && s[3] === 'WMTSCapabilities.xml') {
    await capabilities(ctx, req, res, tmsOf(s[2], 'tilematrixset').id);
    return true;
  }
  if (s[2] === 'tile' && (s.length === 8 || s.length === 9)) {
    const [, , , id, variable] = s;
    const tms = tmsOf(s.length === 9 ? s[5] : null, 'tilematrixset');
    const [z, y, x] = s.slice(-3);
    if (!/\.png$/i.test(x)) {
      throw new ApiError(400, `WMTS tiles are PNG: '${x}' must end in .png`, 'format');
    }
    defaultTime(req);
    await serveTile(ctx, req, res, id, variable, parseTileAddress(tms.crs, z, y, x, 256), tms.crs);
    return true;
  }
  return false;
}

/** A layer's dataset and variable: identifiers may hold dots, so the longest one that prefixes the layer. */
function resolveLayer(ctx: Context, layer: string | null): { id: string; variable: string } {
  const first = splitLayer(layer);
  const match = ctx.registry
    .listed()
    .map(d => d.identifier)
    .filter(id => layer!.startsWith(`${id}.`))
    .sort((a, b) => b.length - a.length)[0];
  return match ? { id: match, variable: layer!.slice(match.length + 1) } : first;
}
