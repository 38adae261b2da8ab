/**
 * A call's answer kept current for one component: fetched when it mounts and again on every
 * `cells.changed`, because what the lists show (pages, scores, the audit) all follows from the cells.
 * A failed reload keeps the last answer and sets `error`; the next good one clears it.
 */
import { onMount } from 'svelte';
import type { Client } from '../../shared/contract.js';
import { errorText } from './format.js';

export class LiveQuery<T> {
  value = $state.raw<T | null>(null);
  error = $state<string | null>(null);

  constructor(private readonly fetch: () => Promise<T>) {}

  async load(): Promise<void> {
    try {
      this.value = await this.fetch();
      this.error = null;
    } catch (e) {
      this.error = errorText(e);
    }
  }
}

/** Call during a component's initialisation (it registers onMount); the listener goes with the component. */
export function liveQuery<T>(client: Client, fetch: () => Promise<T>): LiveQuery<T> {
  const query = new LiveQuery(fetch);
  onMount(() => {
    void query.load();
    return client.on('cells.changed', () => void query.load());
  });
  return query;
}
