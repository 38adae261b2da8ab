/** What every view reaches through Svelte context: the client, the router and the shared stores. */
import { getContext, setContext } from 'svelte';
import type { AppInfo, Client } from '../../shared/contract.js';
import type { Counts } from './counts.svelte.js';
import type { Router } from './router.svelte.js';
import type { TaskStore } from './tasks.svelte.js';

export interface AppContext {
  client: Client;
  router: Router;
  tasks: TaskStore;
  counts: Counts;
  /** Filled once `app.info` answers. */
  info: { value: AppInfo | null };
}

export const APP_CONTEXT = Symbol('hoedown-app');

export function provideApp(context: AppContext): AppContext {
  return setContext(APP_CONTEXT, context);
}

export function useApp(): AppContext {
  const context = getContext<AppContext | undefined>(APP_CONTEXT);
  if (!context) throw new Error('useApp() outside <App>: provide the app context first');
  return context;
}
