/**
 * What the header shows: how many flagged cells are left and whether any page exists. Refreshed from
 * `pages.list` when cells change; while the review queue has decisions in flight it reports the count
 * itself (it knows better than a list taken before its decisions landed).
 */
import type { Client } from '../../shared/contract.js';

export class Counts {
  flaggedLeft = $state<number | null>(null);
  pages = $state<number | null>(null);
  /** Set by the review queue while it has unacknowledged decisions. */
  heldByReview = false;

  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly client: Client) {}

  start(): () => void {
    void this.refresh();
    return this.client.on('cells.changed', () => void this.refresh());
  }

  /** Reloads the counts; calls while one runs coalesce into one more. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const pages = await this.client.call('pages.list', {});
          this.pages = pages.length;
          if (!this.heldByReview) this.flaggedLeft = pages.reduce((sum, p) => sum + p.flagged, 0);
        } catch (error) {
          console.error('Could not count flagged cells', error);
        }
      } while (this.again);
      this.running = null;
    })();
    return this.running;
  }
}
