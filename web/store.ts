// A minimal observable state container and its Preact hook: the app has one state object, replaced
// (never mutated) on each change, so a component re-renders exactly when what it reads changed.
import { useEffect, useState } from 'preact/hooks';

export class Store<S extends object> {
  private listeners = new Set<() => void>();
  constructor(private state: S) {}

  get(): S {
    return this.state;
  }

  set(patch: Partial<S> | ((s: S) => Partial<S>)): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    for (const l of this.listeners) l();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

export function useStore<S extends object>(store: Store<S>): S {
  const [, force] = useState(0);
  useEffect(() => store.subscribe(() => force((n) => n + 1)), [store]);
  return store.get();
}

/** Re-renders every `ms` while mounted: for the countdown, which moves between server pushes. */
export function useTick(ms: number): void {
  const [, force] = useState(0);
  useEffect(() => {
    const id = setInterval(() => force((n) => n + 1), ms);
    return () => clearInterval(id);
  }, [ms]);
}
