// The list/detail split, dragged with the pointer or moved with the arrow keys, like DevTools'
// own split views. The share is a percentage of .main along its current axis (side by side from
// 1000 px, stacked below), remembered in storage.local (SPLIT_KEY) by the App.
import type { JSX } from "preact";
import { useRef } from "preact/hooks";

export const SPLIT_KEY = "panel.split";
const MIN = 15;
const MAX = 85;

/** A stored split, read defensively: a percentage between MIN and MAX, else null (the default). */
export function readSplit(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) && v >= MIN && v <= MAX ? v : null;
}

function clampSplit(v: number): number {
  return Math.round(Math.min(MAX, Math.max(MIN, v)) * 10) / 10;
}

export function Splitter(props: { value: number | null; onChange(pct: number, done: boolean): void }): JSX.Element {
  const el = useRef<HTMLDivElement | null>(null);
  const along = () => {
    const main = el.current?.parentElement;
    if (!main) return null;
    const row = getComputedStyle(main).flexDirection === "row";
    const r = main.getBoundingClientRect();
    return { row, start: row ? r.left : r.top, size: row ? r.width : r.height };
  };
  const at = (ev: PointerEvent): number | null => {
    const a = along();
    if (!a || a.size <= 0) return null;
    return clampSplit((((a.row ? ev.clientX : ev.clientY) - a.start) / a.size) * 100);
  };
  return (
    <div
      ref={el}
      class="splitter"
      role="separator"
      aria-label="Resize the list and the detail"
      aria-valuemin={MIN}
      aria-valuemax={MAX}
      aria-valuenow={props.value ?? undefined}
      tabIndex={0}
      onPointerDown={(ev) => {
        ev.preventDefault();
        (ev.currentTarget as HTMLElement).setPointerCapture?.(ev.pointerId);
      }}
      onPointerMove={(ev) => {
        if (!(ev.currentTarget as HTMLElement).hasPointerCapture?.(ev.pointerId)) return;
        const v = at(ev);
        if (v !== null) props.onChange(v, false);
      }}
      onPointerUp={(ev) => {
        const v = at(ev);
        if (v !== null) props.onChange(v, true);
      }}
      onKeyDown={(ev) => {
        const step = ev.key === "ArrowLeft" || ev.key === "ArrowUp" ? -2 : ev.key === "ArrowRight" || ev.key === "ArrowDown" ? 2 : 0;
        if (!step) return;
        ev.preventDefault();
        props.onChange(clampSplit((props.value ?? (along()?.row ? 42 : 35)) + step), true);
      }}
    />
  );
}
