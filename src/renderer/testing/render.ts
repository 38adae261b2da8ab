/** Renders a view inside the app context, over a FakeClient. */
import { render } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { APP_CONTEXT, type AppContext } from '../lib/context.js';
import { Counts } from '../lib/counts.svelte.js';
import { Router } from '../lib/router.svelte.js';
import { TaskStore } from '../lib/tasks.svelte.js';
import type { FakeClient } from './fake-client.js';

export function appContext(client: FakeClient): AppContext {
  return { client, router: new Router(), tasks: new TaskStore(client), counts: new Counts(client), info: { value: null } };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function renderView(view: Component<any>, client: FakeClient, props: Record<string, unknown> = {}, context = appContext(client)) {
  const stops = [context.tasks.start()];
  const result = render(view, { props, context: new Map([[APP_CONTEXT, context]]) });
  return { ...result, context, stop: () => stops.forEach((s) => s()) };
}
