// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { hrefOf, parseHash, type Route } from './router.svelte.js';

describe('the hash router', () => {
  it('reads every route and writes it back', () => {
    const routes: Route[] = [{ name: 'import' }, { name: 'sheets' }, { name: 'sheet', pageId: 12 }, { name: 'review' }, { name: 'scores' }, { name: 'model' }];
    for (const route of routes) expect(parseHash(hrefOf(route))).toEqual(route);
  });

  it('refuses what names no route', () => {
    for (const hash of ['', '#', '#/', '#/nope', '#/sheet/', '#/sheet/x', '#/sheet/1/2', '#/review/extra']) expect(parseHash(hash)).toBeNull();
    expect(parseHash('#/review/')).toEqual({ name: 'review' });
  });
});
