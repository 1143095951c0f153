/**
 * Restart policy after a server crash: restart at once, but at most `limit` times within a
 * sliding window, so a server that dies on start-up is not respawned forever.
 */

export class RestartPolicy {
  private readonly crashes: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Record a crash at `now` (ms); true when the server should be started again. */
  shouldRestart(now: number): boolean {
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - this.crashes[0] > this.windowMs) {
      this.crashes.shift();
    }
    return this.crashes.length <= this.limit;
  }

  /** Crashes counted in the current window. */
  get recentCrashes(): number {
    return this.crashes.length;
  }

  /** Forget past crashes (after a restart the user asked for). */
  reset(): void {
    this.crashes.length = 0;
  }
}
