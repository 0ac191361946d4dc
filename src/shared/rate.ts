// One token bucket for every rate limit on untrusted input (the relay, the background's annotate).

/** At most `burst` takes at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(private readonly perSecond: number, private readonly burst: number, private readonly clock: () => number = Date.now) {
    this.tokens = burst;
    this.at = clock();
  }

  take(now = this.clock()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
