// Puts a project's board events back in order. Each board write has the next number of the
// project's board sequence; pub/sub may deliver them out of order or lose one. An event that
// skips ahead is held for a moment (the missing one usually follows); once the gap fills, the
// held events are applied in order. Only when it does not fill in time is the board re-fetched,
// so that a late event does not make every open board reload at once.

export interface SequencedEvent {
  seq?: number;
}

export interface SequencerOptions<E extends SequencedEvent> {
  /** Applies one event, in sequence order. */
  apply(ev: E): void;
  /** Events were lost: re-fetch the board (and call `beginLoad`/`loaded` around it). */
  resync(): void;
  /** How long to wait for a missing event before re-fetching. */
  gapWaitMs?: number;
  /** Past this many held events the board is re-fetched at once. */
  maxHeld?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class EventSequencer<E extends SequencedEvent> {
  private seq: number | null = null;
  private loading = false;
  private readonly held = new Map<number, E>();
  private timer: unknown = null;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly opts: SequencerOptions<E>) {
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** The sequence the applied state reflects (null before the first load). */
  get current(): number | null {
    return this.seq;
  }

  /** Whether events are held, waiting for a missing one. */
  get waiting(): boolean {
    return this.timer !== null;
  }

  /** A board load starts: events are held until it ends, whatever their number. */
  beginLoad(): void {
    this.loading = true;
    this.disarm();
  }

  /** The board was loaded at `seq`: held events after it are applied in order. */
  loaded(seq: number): void {
    this.loading = false;
    this.seq = seq;
    this.drain();
  }

  /** The load failed: carry on from where the state was. */
  loadFailed(): void {
    this.loading = false;
    this.drain();
  }

  push(ev: E): void {
    if (ev.seq === undefined) {
      // Not numbered: nothing to order it by.
      if (!this.loading && this.seq !== null) this.opts.apply(ev);
      return;
    }
    if (this.seq !== null && ev.seq <= this.seq) return; // already reflected
    this.held.set(ev.seq, ev);
    if (this.loading || this.seq === null) return;
    this.drain();
  }

  /** Stops the timer (the board is going away). */
  dispose(): void {
    this.disarm();
    this.held.clear();
  }

  private drain(): void {
    if (this.seq === null) return;
    for (const s of [...this.held.keys()]) {
      if (s <= this.seq) this.held.delete(s);
    }
    for (let next = this.held.get(this.seq + 1); next !== undefined; next = this.held.get(this.seq + 1)) {
      this.held.delete(this.seq + 1);
      this.seq += 1;
      this.opts.apply(next);
    }
    if (this.held.size === 0) {
      this.disarm();
    } else if (this.held.size > (this.opts.maxHeld ?? 200)) {
      this.gapUnfilled();
    } else if (this.timer === null) {
      this.timer = this.setTimer(() => {
        this.timer = null;
        this.gapUnfilled();
      }, this.opts.gapWaitMs ?? 1000);
    }
  }

  private gapUnfilled(): void {
    this.disarm();
    this.opts.resync();
  }

  private disarm(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }
}
