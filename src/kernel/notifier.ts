import type { AppContext } from './context.ts';

// Routes and workers are wired separately by the integrator; this lets a stored delivery wake the processor at once.
const listeners = new WeakMap<AppContext, Set<() => void>>();

/** Calls `fn` whenever a new delivery is committed for this app; returns the unsubscribe function. */
export function onDeliveryStored(ctx: AppContext, fn: () => void): () => void {
  let set = listeners.get(ctx);
  if (!set) listeners.set(ctx, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

export function notifyDeliveryStored(ctx: AppContext): void {
  for (const fn of listeners.get(ctx) ?? []) fn();
}
