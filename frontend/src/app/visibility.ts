import { useEffect, useId, useState, useSyncExternalStore, type RefObject } from "react";

/** Whether an element is on (or near) the screen; true where IntersectionObserver is missing. */
export function useVisible(ref: RefObject<Element | null>): boolean {
  const [visible, setVisible] = useState(typeof IntersectionObserver === "undefined");
  useEffect(() => {
    const element = ref.current;
    if (element === null || typeof IntersectionObserver === "undefined") return undefined;
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) setVisible(entry.isIntersecting);
      },
      { rootMargin: "100px 0px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return visible;
}

/**
 * A fixed number of slots handed to whoever asked first: the cards that watch typing get
 * one each, so a long feed holds at most `limit` typing subscriptions.
 */
export function createSlotPool(limit: number) {
  let waiting: string[] = [];
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  return {
    limit,
    want(key: string): void {
      if (waiting.includes(key)) return;
      waiting = [...waiting, key];
      notify();
    },
    release(key: string): void {
      if (!waiting.includes(key)) return;
      waiting = waiting.filter((k) => k !== key);
      notify();
    },
    granted(key: string): boolean {
      const index = waiting.indexOf(key);
      return index !== -1 && index < limit;
    },
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type SlotPool = ReturnType<typeof createSlotPool>;

/** At most this many tweet cards watch `typing` at once: those on screen, first come. */
export const TYPING_WATCH_LIMIT = 8;
const typingPool = createSlotPool(TYPING_WATCH_LIMIT);

/** Whether this card, while `wanted`, holds one of the pool's slots. */
export function useSlot(wanted: boolean, pool: SlotPool = typingPool): boolean {
  const key = useId();
  useEffect(() => {
    if (!wanted) return undefined;
    pool.want(key);
    return () => pool.release(key);
  }, [wanted, key, pool]);
  return useSyncExternalStore(
    pool.subscribe,
    () => wanted && pool.granted(key),
    () => false,
  );
}
