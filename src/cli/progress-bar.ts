/** A one-line progress bar redrawn in place on a terminal at most every `intervalMs`; call {@link ProgressBar.done} to clear it. */
export class ProgressBar {
  private readonly _write: (chunk: string) => void;
  private readonly _intervalMs: number;
  private readonly _now: () => number;
  private _last = 0;
  private _drawn = false;

  /** `write` receives raw terminal text; `intervalMs` (default 200) throttles redraws. */
  constructor(write: (chunk: string) => void, intervalMs = 200, now: () => number = Date.now) {
    this._write = write;
    this._intervalMs = intervalMs;
    this._now = now;
  }

  /** Redraws the bar for `done` of `total` bytes (total 0 when unknown, e.g. stdin) if the interval has passed. */
  update(label: string, done: number, total: number): void {
    const t = this._now();
    if (t - this._last < this._intervalMs) return;
    this._last = t;
    const mb = (done / 1e6).toFixed(1);
    let text: string;
    if (total > 0) {
      const ratio = Math.min(1, done / total);
      const filled = Math.round(ratio * 30);
      text = `[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${mb} MB ${label}`;
    } else text = `${mb} MB ${label}`;
    this._write(`\r\u001b[2K${text.slice(0, 120)}`);
    this._drawn = true;
  }

  /** Clears the bar if one was drawn. */
  done(): void {
    if (this._drawn) this._write('\r\u001b[2K');
    this._drawn = false;
  }
}
