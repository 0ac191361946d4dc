/** A manual clock for the connection's schedule(). */
export function manualClock() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  return {
    schedule(ms: number, fn: () => void) {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return () => { t.live = false; };
    },
    advance(ms: number) {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => t.live && t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        due.live = false;
        due.fn();
      }
    },
  };
}
