/**
 * Failures counted over a sliding window (BRK-2: "failureThreshold failures within windowMs").
 * Pure: time is passed in, so properties can drive it.
 */
export class FailureWindow {
  private times: number[] = [];

  constructor(private readonly windowMs: number) {}

  /** Records a failure at `now`; returns how many fall inside the window ending at `now`. */
  record(now: number): number {
    this.times.push(now);
    return this.count(now);
  }

  count(now: number): number {
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! <= from) drop++;
    if (drop > 0) this.times = this.times.slice(drop);
    return this.times.length;
  }

  clear(): void {
    this.times = [];
  }
}
