import { describe, expect, it } from 'vitest';
import { MAX_BODY_PX, nextSort, pageOffsetsFor, rowTopPx, scrollScale, sortStateOf } from './rows-window.js';

describe('pageOffsetsFor', () => {
  it('asks for the one page holding a window inside it', () => {
    expect(pageOffsetsFor(0, 20, 200)).toEqual([0]);
    expect(pageOffsetsFor(420, 460, 200)).toEqual([400]);
  });

  it('asks for both pages when the window straddles a page boundary', () => {
    expect(pageOffsetsFor(190, 215, 200)).toEqual([0, 200]);
    expect(pageOffsetsFor(999_990, 999_999, 200)).toEqual([999_800]);
  });

  it('asks for nothing when there is no window', () => {
    expect(pageOffsetsFor(0, -1, 200)).toEqual([]);
  });
});

describe('scrollScale', () => {
  it('renders the full height when the browser allows it', () => {
    expect(scrollScale(1_000, 448, 32, 36)).toEqual({ bodyPx: 32_000, scale: 1 });
  });

  it('compresses a million rows so the element stays below the cap, and the end still reaches the last row', () => {
    const rows = 1_000_000;
    const viewport = 448;
    const { bodyPx, scale } = scrollScale(rows, viewport, 32, 36);
    expect(bodyPx).toBe(MAX_BODY_PX);
    const elementMax = 36 + bodyPx - viewport;
    const virtualMax = 36 + rows * 32 - viewport;
    expect(elementMax * scale).toBeCloseTo(virtualMax, 3);
  });

  it('places a row relative to the element scroll so it is on screen wherever the virtual offset is', () => {
    // Element scrolled to 1000 px, virtual offset 2000 px: a row starting at virtual 2036 (just below the header).
    expect(rowTopPx(2_036, 2_000, 1_000, 36)).toBe(1_000);
    // No compression: the row sits at its own start minus the header.
    expect(rowTopPx(36 + 10 * 32, 0, 0, 36)).toBe(320);
  });
});

describe('sorting', () => {
  it('cycles ascending, descending, file order', () => {
    expect(nextSort(undefined, 'amount')).toBe('amount');
    expect(nextSort('amount', 'amount')).toBe('-amount');
    expect(nextSort('-amount', 'amount')).toBeUndefined();
    expect(nextSort('-amount', 'quantity')).toBe('quantity');
  });

  it('names the state for aria-sort', () => {
    expect(sortStateOf('amount', 'amount')).toBe('ascending');
    expect(sortStateOf('-amount', 'amount')).toBe('descending');
    expect(sortStateOf('-amount', 'quantity')).toBe('none');
  });
});
