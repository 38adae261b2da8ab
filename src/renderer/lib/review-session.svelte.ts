/**
 * The review queue's engine, kept apart from its screen so it can be reasoned about and tested.
 *
 * Speed: the next items are prefetched (and their images warmed), so a decision shows the next cell
 * at once from the buffer; the decision itself goes to the main side in the background. Every call
 * runs through one chain, in order, so each answer reflects exactly the decisions sent before it:
 * the count of what is left is the last answer's plus what is still on its way.
 *
 * Nothing lost: a decision that fails brings its cell back with the error; undo (also after a
 * restart: the main side keeps the log) brings back the last decided cell.
 */
import { ApiError, type Client, type Decision, type ReviewItem } from '../../shared/contract.js';

export interface ReviewOptions {
  /** Items kept ready beyond the one shown. */
  prefetch?: number;
  /** Review the flagged cells of one page only. */
  pageId?: number;
  /** Called for every item entering the buffer, e.g. to decode its images ahead of time. */
  warm?: (item: ReviewItem) => void;
  /** Told the count of what is left whenever it changes, and whether calls are still on their way. */
  onRemaining?: (remaining: number | null, settled: boolean) => void;
}

export interface Done {
  item: ReviewItem;
  decision: Decision;
}

function message(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export class ReviewSession {
  /** The cell on screen; null when the queue is empty (or still loading). */
  current = $state.raw<ReviewItem | null>(null);
  /** Flagged cells left, the one on screen included. */
  remaining = $state<number | null>(null);
  loading = $state(true);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  /** The latest decision made here, shown as "previous". */
  previous = $state.raw<Done | null>(null);
  /** Calls not answered yet. */
  pending = $state(0);

  private buffer: ReviewItem[] = [];
  private skipped: ReviewItem[] = [];
  private history: Done[] = [];
  // Bookkeeping, deliberately not reactive (the screen reads `current`, `remaining` and friends).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly inFlight = new Set<number>();
  private chain: Promise<void> = Promise.resolve();
  private serverRemaining: number | null = null;
  /** Expected change of the count from calls on their way (-1 per decision, +1 per undo). */
  private delta = 0;
  private exhausted = false;
  private refilling = false;
  private readonly prefetch: number;
  /** Whether the main side takes `exclude` in review.queue (unknown until the first answer). */
  private excludeWorks: boolean | undefined;

  constructor(
    private readonly client: Client,
    private readonly options: ReviewOptions = {},
  ) {
    this.prefetch = Math.max(1, options.prefetch ?? 8);
  }

  /** Loads the first items; resolves when the first one (or an empty queue) is known. */
  start(): Promise<void> {
    this.refill();
    return this.settled();
  }

  /** Resolves when every call sent so far, and every call those led to, is answered. */
  async settled(): Promise<void> {
    let chain: Promise<void>;
    do {
      chain = this.chain;
      await chain;
    } while (chain !== this.chain);
  }

  /** Items waiting behind the one on screen (for tests and the "ready" indicator). */
  get buffered(): number {
    return this.buffer.length;
  }

  get skippedCount(): number {
    return this.skipped.length;
  }

  /** Sends a decision about the cell on screen and shows the next one. False when nothing happened. */
  decide(decision: Decision): boolean {
    const item = this.current;
    if (!item) return false;
    if (decision.action === 'accept' && item.cell.readValue === null) {
      this.notice = 'There is no reading to accept here: type the digit, press U if it needs the judge, or Delete if it is empty.';
      return false;
    }
    const done: Done = { item, decision };
    const cellId = item.cell.cellId;
    this.history.push(done);
    this.inFlight.add(cellId);
    this.previous = done;
    this.error = null;
    this.notice = null;
    this.advance();
    this.send(item.cell.status === 'flagged' ? -1 : 0, async () => {
      try {
        const result = await this.client.call('review.decide', { cellId, decision });
        this.serverRemaining = result.remaining;
      } catch (error) {
        this.restore(done, `The decision on ${where(item)} was not saved: ${message(error)}. It is back on screen.`);
      } finally {
        this.inFlight.delete(cellId);
      }
    });
    return true;
  }

  /** Takes back the latest decision: its cell comes back on screen. */
  undo(): void {
    const last = this.history.pop();
    this.error = null;
    this.notice = null;
    if (last) {
      // At once from memory; the main side follows in order.
      if (this.current) this.buffer.unshift(this.current);
      this.current = last.item;
      this.previous = this.history.at(-1) ?? null;
      this.notice = `Undone: ${where(last.item)} is back.`;
    }
    const cellId = last?.item.cell.cellId;
    this.send(last ? 1 : 0, async () => {
      try {
        const result = await this.client.call('review.undo', cellId === undefined ? {} : { cellId });
        this.serverRemaining = result.remaining;
        if (last) return;
        // Nothing decided in this window (say, after a restart): the main side's log knows.
        if (!result.cell) {
          this.notice = 'Nothing to undo.';
          return;
        }
        const item = await this.client.call('review.item', { cellId: result.cell.cellId });
        this.drop(item.cell.cellId);
        if (this.current) this.buffer.unshift(this.current);
        this.current = item;
        this.notice = `Undone: ${where(item)} is back.`;
      } catch (error) {
        this.error = `Undo failed: ${message(error)}`;
        if (last && this.current === last.item) {
          this.history.push(last);
          this.previous = last;
          this.current = this.buffer.shift() ?? null;
        }
      }
    });
  }

  /** Leaves the cell on screen for later (it comes back when the rest is done). */
  skip(): void {
    if (!this.current) return;
    this.skipped.push(this.current);
    this.notice = null;
    this.advance();
  }

  /** Goes back to the latest skipped cell. */
  back(): void {
    const item = this.skipped.pop();
    if (!item) return;
    if (this.current) this.buffer.unshift(this.current);
    this.current = item;
  }

  /** New flagged cells may exist (an import or a threshold move): look again when the queue ran dry. */
  poke(): void {
    this.exhausted = false;
    if (!this.current || this.buffer.length < this.prefetch) this.refill();
  }

  private advance(): void {
    let next = this.buffer.shift();
    if (!next && this.exhausted && !this.refilling && this.skipped.length > 0) {
      this.buffer = this.skipped;
      this.skipped = [];
      next = this.buffer.shift();
      this.notice = 'Back to the cells you skipped.';
    }
    this.current = next ?? null;
    this.publish();
    this.refill();
  }

  private refill(): void {
    if (this.refilling || this.exhausted || this.buffer.length >= Math.ceil(this.prefetch / 2)) return;
    this.refilling = true;
    this.send(0, async () => {
      let added = 0;
      try {
        const want = this.prefetch - this.buffer.length + (this.current ? 0 : 1);
        const { items, remaining, exhausted } = await this.fetchQueue(want);
        this.serverRemaining = remaining;
        if (exhausted) this.exhausted = true;
        const known = this.known();
        for (const item of items) {
          if (known.has(item.cell.cellId)) continue;
          known.add(item.cell.cellId);
          this.buffer.push(item);
          added++;
          this.options.warm?.(item);
        }
      } catch (error) {
        this.error = `Could not load the queue: ${message(error)}`;
        added = -1;
      } finally {
        this.refilling = false;
        this.loading = false;
      }
      if (!this.current) this.advance();
      else if (added > 0) this.refill();
    });
  }

  /**
   * Up to `want` flagged cells this window does not hold yet. Asks the main side to leave out the
   * ones it holds (`exclude`); a main side that does not know `exclude` yet gets the older question
   * (a limit big enough to cover them), and the answer is filtered here either way.
   */
  private async fetchQueue(want: number): Promise<{ items: ReviewItem[]; remaining: number; exhausted: boolean }> {
    const known = [...this.known()];
    const page = this.options.pageId === undefined ? {} : { pageId: this.options.pageId };
    if (this.excludeWorks !== false) {
      try {
        const answer = await this.client.call('review.queue', { limit: Math.min(200, want), exclude: known, ...page });
        this.excludeWorks = true;
        return { ...answer, exhausted: answer.items.length < Math.min(200, want) };
      } catch (error) {
        if (this.excludeWorks === true || !(error instanceof ApiError) || error.code !== 'bad-request') throw error;
        this.excludeWorks = false;
      }
    }
    // The main side answers at most 200 items a call.
    const limit = Math.min(200, want + known.length);
    const answer = await this.client.call('review.queue', { limit, ...page });
    return { ...answer, exhausted: answer.items.length < limit };
  }

  /** Cell ids this window holds: on screen, buffered, skipped, or decided and not yet answered. */
  private known(): Set<number> {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const ids = new Set(this.inFlight);
    if (this.current) ids.add(this.current.cell.cellId);
    for (const item of this.buffer) ids.add(item.cell.cellId);
    for (const item of this.skipped) ids.add(item.cell.cellId);
    return ids;
  }

  private drop(cellId: number): void {
    this.buffer = this.buffer.filter((i) => i.cell.cellId !== cellId);
    this.skipped = this.skipped.filter((i) => i.cell.cellId !== cellId);
  }

  private restore(done: Done, error: string): void {
    const index = this.history.lastIndexOf(done);
    if (index >= 0) this.history.splice(index, 1);
    if (this.previous === done) this.previous = this.history.at(-1) ?? null;
    const cellId = done.item.cell.cellId;
    if (this.current?.cell.cellId !== cellId) {
      this.drop(cellId);
      if (this.current) this.buffer.unshift(this.current);
      this.current = done.item;
    }
    this.error = error;
  }

  /** Runs `run` after every call sent before it; `delta` is its expected change of the count. */
  private send(delta: number, run: () => Promise<void>): void {
    this.delta += delta;
    this.pending++;
    this.publish();
    this.chain = this.chain.then(async () => {
      try {
        await run();
      } finally {
        this.delta -= delta;
        this.pending--;
        this.publish();
      }
    });
  }

  private publish(): void {
    const remaining = this.serverRemaining === null ? null : Math.max(0, this.serverRemaining + this.delta);
    this.remaining = remaining;
    this.options.onRemaining?.(remaining, this.pending === 0);
  }
}

/** "row 3, column 2 of sheet.png page 1", for messages. */
export function where(item: ReviewItem): string {
  return `row ${item.cell.row}, column ${item.cell.col} of ${item.fileName} page ${item.page}`;
}
