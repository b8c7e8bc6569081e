// Reconnect delays: exponential with "full jitter", capped, reset after a good connection, so that
// many clients dropped at once by a restart do not all come back in the same instant.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;
  constructor(private readonly opts: BackoffOptions) {
    this.random = opts.random ?? Math.random;
  }
  /** The cap of the next delay, without jitter. */
  ceiling(): number {
    return Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** this.attempt);
  }
  /** The next delay; at least half the ceiling so a retry is never immediate. */
  next(): number {
    const cap = this.ceiling();
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(cap / 2 + (this.random() * cap) / 2);
  }
  reset(): void {
    this.attempt = 0;
  }
  get attempts(): number {
    return this.attempt;
  }
}
