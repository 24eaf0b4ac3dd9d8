import type { AppContext } from './context.ts';

/**
 * An in-process signal, per app: whoever stores something calls `notify`, and the loops that process it are woken at
 * once instead of after their idle pause. Listeners live as long as their app (a WeakMap keyed by the context), so
 * several apps in one process (tests) never wake each other. Nothing crosses processes: the loops' idle polling
 * stays the guarantee, this only shortens the wait.
 */
export interface Signal {
  /** Calls `fn` each time the signal fires for this app; returns the unsubscribe function. */
  on(ctx: AppContext, fn: () => void): () => void;
  notify(ctx: AppContext): void;
}

export function createSignal(): Signal {
  const listeners = new WeakMap<AppContext, Set<() => void>>();
  return {
    on(ctx, fn) {
      let set = listeners.get(ctx);
      if (!set) listeners.set(ctx, (set = new Set()));
      set.add(fn);
      return () => set.delete(fn);
    },
    notify(ctx) {
      for (const fn of listeners.get(ctx) ?? []) fn();
    },
  };
}

// Routes and workers are wired separately by the composition root; this lets a stored delivery wake the processor.
const deliveryStored = createSignal();

/** Calls `fn` whenever a new inbound delivery is committed for this app; returns the unsubscribe function. */
export const onPostStored = deliveryStored.on;
export const notifyPostStored = deliveryStored.notify;
