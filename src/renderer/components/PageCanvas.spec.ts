// @vitest-environment jsdom
import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { FakeClient } from '../testing/fake-client.js';
import PageCanvas from './PageCanvas.svelte';

describe('the page canvas', () => {
  it('hands its stylesheet the page ratio for a definite width, and sets no percentage size of its own', async () => {
    const client = new FakeClient([{ fileName: 'ann.png', rows: 2, cols: 2 }]);
    const detail = await client.call('pages.get', { pageId: 1 });
    const { getByTestId } = render(PageCanvas, { props: { detail, selected: null, onselect: () => undefined } });
    const svg = getByTestId('page-canvas');
    // The stylesheet's width is max(20rem, (100vh - 7rem) × ratio), capped by max-width: 100%. A
    // percentage width inside the sheet view's fit-content stage is cyclic: Chromium then drew the page
    // at the 300 px default of a replaced element (the layout itself is checked in Chromium by
    // test/e2e/pages.spec.ts; jsdom does no layout).
    expect(Number(svg.style.getPropertyValue('--page-ratio'))).toBeCloseTo(detail.width / detail.height, 6);
    expect(svg.style.width).toBe('');
    expect(svg.style.maxWidth).toBe('');
  });
});
