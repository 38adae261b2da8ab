/**
 * Long jobs (import, training, re-reading) as the main side reports them: `task` events folded into
 * one reactive map by id, seeded by `tasks.list` (events win: they are newer).
 */
import type { Client, TaskState } from '../../shared/contract.js';

export class TaskStore {
  byId = $state<Record<string, TaskState>>({});
  /** Newest first (task ids are not ordered, so by first sight). */
  all = $derived(
    Object.values(this.byId)
      .slice()
      .sort((a, b) => (this.seen.get(b.id) ?? 0) - (this.seen.get(a.id) ?? 0)),
  );
  running = $derived(this.all.filter((t) => t.status === 'running'));
  /** The import started last from this window, so the Import view can show it again. */
  lastImport = $state<string | null>(null);

  // Order of first sight; changes only together with `byId`, which is what triggers updates.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly seen = new Map<string, number>();
  private counter = 0;

  constructor(private readonly client: Client) {}

  /** Subscribes and loads the current list; returns the function that stops listening. */
  start(): () => void {
    const off = this.client.on('task', (task) => this.put(task));
    const offChanged = this.client.on('cells.changed', ({ pageIds }) => {
      // An empty list means "anything may have changed" (the event stream came back): resync.
      if (pageIds.length === 0) void this.refresh();
    });
    void this.refresh();
    return () => {
      off();
      offChanged();
    };
  }

  async refresh(): Promise<void> {
    try {
      const list = await this.client.call('tasks.list', {});
      for (const task of list) {
        const known = this.byId[task.id];
        if (!known || (known.status === 'running' && task.status !== 'running')) this.put(task);
      }
    } catch (error) {
      console.error('Could not list tasks', error);
    }
  }

  put(task: TaskState): void {
    if (!this.seen.has(task.id)) this.seen.set(task.id, ++this.counter);
    this.byId[task.id] = task;
  }

  /** Makes sure a task just started is known (its first event may not have come yet). */
  track(id: string): void {
    if (!this.byId[id]) void this.refresh();
  }

  get(id: string | null | undefined): TaskState | null {
    return (id && this.byId[id]) || null;
  }

  async cancel(id: string): Promise<boolean> {
    const { cancelled } = await this.client.call('tasks.cancel', { taskId: id });
    return cancelled;
  }

  dismiss(id: string): void {
    delete this.byId[id];
    this.seen.delete(id);
  }
}
