import { describe, expect, it } from 'vitest';
import { FaceMaterial, tableTexture, valuePairs } from '../src/faceshader';
import { colormapTable } from '../src/colormaps';

describe('GPU colouring of a face', () => {
  it('sends each value with a present flag: only NaN is missing, a real -9999 is a value', () => {
    expect(Array.from(valuePairs([1.5, NaN, -9999]))).toEqual([1.5, 1, 0, 0, -9999, 1]);
  });

  it('changes uniforms only for a new range or log scale, as mapColours reads them', () => {
    const material = new FaceMaterial(tableTexture(colormapTable('viridis')));
    material.showValues(Float32Array.from([1, 10, 100, NaN]), 2, 2);
    const data = material.uniforms.uData.value;
    expect(material.showsValues).toBe(true);
    material.setRange(1, 100, true);
    expect([material.uniforms.uLow.value, material.uniforms.uHigh.value, material.uniforms.uLog.value]).toEqual([
      0,
      2,
      true
    ]);
    expect(material.uniforms.uData.value).toBe(data);
    material.showImage(new Uint8Array(16), 2, 2);
    expect(material.showsValues).toBe(false);
    expect(material.uniforms.uData.value).toBeNull();
    material.dispose();
  });
});
