/**
 * The hash router: #/import, #/sheets, #/sheet/ID, #/review, #/scores, #/model. Hash routes work the
 * same from file:// (Electron) and from `hoedown serve`, and need no server routes.
 */
export type Route =
  | { name: 'import' }
  | { name: 'sheets' }
  | { name: 'sheet'; pageId: number }
  | { name: 'review' }
  | { name: 'scores' }
  | { name: 'model' };

export type RouteName = Route['name'];

const SIMPLE = ['import', 'sheets', 'review', 'scores', 'model'] as const;

/** The route of a location hash, or null when it names none. */
export function parseHash(hash: string): Route | null {
  const path = hash.replace(/^#\/?/, '').replace(/\/+$/, '');
  const sheet = /^sheet\/(\d+)$/.exec(path);
  if (sheet) return { name: 'sheet', pageId: Number(sheet[1]) };
  const simple = SIMPLE.find((name) => name === path);
  return simple ? { name: simple } : null;
}

export function hrefOf(route: Route): string {
  return route.name === 'sheet' ? `#/sheet/${route.pageId}` : `#/${route.name}`;
}

export class Router {
  /** The current route; null until the hash names one (the app then picks a start page). */
  route = $state<Route | null>(null);

  constructor(private readonly win: Window = window) {
    this.route = parseHash(win.location.hash);
  }

  /** Follows hash changes; returns the function that stops. */
  listen(): () => void {
    const onChange = (): void => {
      this.route = parseHash(this.win.location.hash);
    };
    this.win.addEventListener('hashchange', onChange);
    return () => this.win.removeEventListener('hashchange', onChange);
  }

  go(route: Route, { replace = false } = {}): void {
    const href = hrefOf(route);
    if (replace) this.win.history.replaceState(null, '', href);
    else this.win.location.hash = href;
    this.route = route;
  }
}
