import { describe, expect, it } from 'vitest';
import { blackI420, clipToInt16, fitI420, PcmFifo } from './media-buffers.js';

describe('PcmFifo', () => {
  it('mixes what it holds into the output and reports how much there was', () => {
    const f = new PcmFifo(1000);
    f.push(Int16Array.from([1, 2, 3]));
    f.push(Int16Array.from([4]));
    const out = new Int32Array([10, 10, 10, 10, 10]);
    expect(f.mixInto(out)).toBe(4);
    expect([...out]).toEqual([11, 12, 13, 14, 10]);
    expect(f.bufferedMs).toBe(0);
  });

  it('drops the oldest samples beyond its backlog limit', () => {
    const f = new PcmFifo(1000, 3); // 3 samples at 1 kHz
    f.push(Int16Array.from([1, 2, 3, 4, 5]));
    const out = new Int32Array(5);
    expect(f.mixInto(out)).toBe(3);
    expect([...out]).toEqual([3, 4, 5, 0, 0]);
  });
});

describe('audio mix', () => {
  it('clips to 16 bits', () => {
    expect([...clipToInt16(Int32Array.from([40000, -40000, 5]))]).toEqual([32767, -32768, 5]);
  });
});

describe('fitI420', () => {
  it('keeps a picture of the output size as it is', () => {
    const src = blackI420(4, 2);
    src[0] = 200;
    expect(fitI420({ width: 4, height: 2, data: src }, 4, 2)).toEqual(src);
  });

  it('fits a 4:3 picture into 16:9 with black bars left and right', () => {
    const src = new Uint8Array(8 * 6 + 2 * 4 * 3).fill(235);
    const out = fitI420({ width: 8, height: 6, data: src }, 16, 6);
    const row = [...out.subarray(0, 16)];
    expect(row.slice(0, 4)).toEqual([16, 16, 16, 16]);
    expect(row.slice(4, 12)).toEqual(new Array(8).fill(235));
    expect(row.slice(12)).toEqual([16, 16, 16, 16]);
    expect(out.length).toBe(16 * 6 + 2 * 8 * 3);
  });
});
