// The task manager: every change pushed, the end states (done, failed, cancelled), cancel answers,
// and close waiting for running tasks after cancelling them.
import { describe, expect, it } from 'vitest';
import type { TaskState } from '../../shared/contract.js';
import { TaskManager } from './tasks.js';

const manager = (): { tasks: TaskManager; pushed: TaskState[] } => {
  const pushed: TaskState[] = [];
  return { tasks: new TaskManager((s) => pushed.push(s)), pushed };
};

const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));

describe('tasks', () => {
  it('pushes the start, each change and the end; the end is done with progress 1', async () => {
    const { tasks, pushed } = manager();
    const { state, done } = tasks.start('import', 'Importing 2 files', async (t) => {
      t.update({ message: 'one', files: [{ name: 'a.png', status: 'done' }] });
      t.update({ progress: 0.5 });
      t.update({ message: 'two imported' });
      return 42;
    });
    expect(state).toMatchObject({ kind: 'import', title: 'Importing 2 files', status: 'running', progress: null });
    expect(await done).toBe(42);
    expect(pushed[0]).toMatchObject({ id: state.id, status: 'running' });
    expect(pushed.at(-1)).toMatchObject({ status: 'done', progress: 1, message: 'two imported', files: [{ name: 'a.png', status: 'done' }] });
    // Pushed states are copies: a listener cannot change the task.
    pushed.at(-1)!.files![0]!.status = 'failed';
    expect(tasks.get(state.id)!.files![0]!.status).toBe('done');
    expect(tasks.list().map((t) => t.id)).toEqual([state.id]);
  });

  it('a throw fails the task with its message; after cancel it is cancelled instead', async () => {
    const { tasks } = manager();
    const failing = tasks.start('reread', 'x', async () => {
      throw new Error('no table found');
    });
    await expect(failing.done).rejects.toThrow('no table found');
    expect(tasks.get(failing.state.id)).toMatchObject({ status: 'failed', message: 'no table found' });

    const long = tasks.start('train', 'y', (t) => untilAborted(t.signal));
    expect(tasks.cancel(long.state.id)).toBe(true);
    await expect(long.done).rejects.toThrow('stopped');
    expect(tasks.get(long.state.id)).toMatchObject({ status: 'cancelled', message: 'cancelled' });
    expect(tasks.cancel(long.state.id)).toBe(false);
    expect(tasks.cancel('nope')).toBeUndefined();
  });

  it('close cancels what runs, waits for it, and refuses new tasks', async () => {
    const { tasks, pushed } = manager();
    const a = tasks.start('import', 'a', (t) => untilAborted(t.signal));
    a.done.catch(() => undefined);
    await tasks.close();
    expect(pushed.at(-1)).toMatchObject({ id: a.state.id, status: 'cancelled' });
    expect(() => tasks.start('import', 'b', async () => 1)).toThrow(/closing/);
  });
});
