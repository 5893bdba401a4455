/**
 * Colours a face on the GPU: the face's values go up once as a float texture (value and a "present" flag per
 * cell, so that only NaN is missing and a real -9999 stays a value) and a fragment shader maps them through the
 * colour map's 256-entry table with the range and the log switch as uniforms. A new colour map or range changes
 * uniforms only: nothing is mapped or uploaded again. The mapping is the one of `mapColours` (colormaps.ts), the
 * CPU path the tests check it against. A face whose data has not arrived shows an RGBA image (the checkerboard).
 */
import * as THREE from 'three';
import { MISSING_RGBA } from './colormaps';

const VERTEX = /* glsl */ `
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}
`;

const FRAGMENT = /* glsl */ `
precision highp float;
precision highp sampler2D;
uniform bool uUseImage;
uniform sampler2D uImage;
uniform sampler2D uData;
uniform sampler2D uTable;
uniform float uLow;
uniform float uHigh;
uniform bool uLog;
uniform vec3 uMissing;
varying vec2 vUv;
void main() {
  if (uUseImage) {
    gl_FragColor = vec4(texture2D(uImage, vUv).rgb, 1.0);
    return;
  }
  vec2 cell = texture2D(uData, vUv).rg;
  float value = cell.r;
  bool present = cell.g > 0.5;
  if (uLog) {
    present = present && value > 0.0;
    value = present ? log2(value) * 0.30102999566398120 : 0.0;
  }
  if (!present) {
    gl_FragColor = vec4(uMissing, 1.0);
    return;
  }
  float entry = uHigh > uLow ? clamp(floor((value - uLow) * (255.0 / (uHigh - uLow)) + 0.5), 0.0, 255.0) : 0.0;
  gl_FragColor = vec4(texture2D(uTable, vec2((entry + 0.5) / 256.0, 0.5)).rgb, 1.0);
}
`;

/** The colour map as a 256 × 1 RGBA texture (a table of colormapTable), shared by the faces of a cube. */
export function tableTexture(table: Uint8Array): THREE.DataTexture {
  const texture = new THREE.DataTexture(table, 256, 1, THREE.RGBAFormat);
  texture.magFilter = THREE.NearestFilter;
  texture.minFilter = THREE.NearestFilter;
  texture.needsUpdate = true;
  return texture;
}

/** Values (NaN for missing) as the interleaved value/present pairs of an RG float texture. */
export function valuePairs(values: ArrayLike<number>): Float32Array {
  const pairs = new Float32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isNaN(value)) {
      pairs[i * 2] = value;
      pairs[i * 2 + 1] = 1;
    }
  }
  return pairs;
}

/** The material of one face. */
export class FaceMaterial extends THREE.ShaderMaterial {
  constructor(table: THREE.DataTexture) {
    super({
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      side: THREE.DoubleSide,
      uniforms: {
        uUseImage: { value: true },
        uImage: { value: null },
        uData: { value: null },
        uTable: { value: table },
        uLow: { value: 0 },
        uHigh: { value: 1 },
        uLog: { value: false },
        uMissing: { value: new THREE.Vector3(...MISSING_RGBA.slice(0, 3).map(c => c / 255)) }
      }
    });
  }

  /** Shows an RGBA image of `width` × `height` (the checkerboard) until values come. */
  showImage(rgba: Uint8Array, width: number, height: number): void {
    const texture = new THREE.DataTexture(rgba, width, height, THREE.RGBAFormat);
    texture.magFilter = THREE.NearestFilter;
    texture.minFilter = THREE.LinearFilter;
    texture.needsUpdate = true;
    this.replace('uImage', texture);
    this.replace('uData', null);
    this.uniforms.uUseImage.value = true;
  }

  /** Shows `width` × `height` values (row-major, NaN missing), coloured with the current table and range. */
  showValues(values: ArrayLike<number>, width: number, height: number): void {
    const texture = new THREE.DataTexture(valuePairs(values), width, height, THREE.RGFormat, THREE.FloatType);
    // float textures are sampled nearest: linear filtering of 32-bit floats is an optional WebGL extension
    texture.magFilter = THREE.NearestFilter;
    texture.minFilter = THREE.NearestFilter;
    texture.needsUpdate = true;
    this.replace('uData', texture);
    this.replace('uImage', null);
    this.uniforms.uUseImage.value = false;
  }

  /** The colour range (vmin to the first entry, vmax to the last) and the log switch, as mapColours reads them. */
  setRange(vmin: number, vmax: number, log: boolean): void {
    this.uniforms.uLow.value = log ? Math.log10(vmin) : vmin;
    this.uniforms.uHigh.value = log ? Math.log10(vmax) : vmax;
    this.uniforms.uLog.value = log;
  }

  /** Whether the face shows values (not the checkerboard). */
  get showsValues(): boolean {
    return !this.uniforms.uUseImage.value;
  }

  override dispose(): void {
    this.replace('uImage', null);
    this.replace('uData', null);
    super.dispose();
  }

  private replace(name: 'uImage' | 'uData', texture: THREE.DataTexture | null): void {
    (this.uniforms[name].value as THREE.Texture | null)?.dispose();
    this.uniforms[name].value = texture;
  }
}
