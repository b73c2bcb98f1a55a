/**
 * Reads of one key that callers in this process share, without ever answering a caller with a read
 * sent before it asked: a caller that finds a read of its key in flight waits for the one read
 * queued behind it, which starts when the first ends and serves everyone who arrived meanwhile. So
 * at most two reads of a key are under way at once, however many callers want it (a run whose
 * thousand activities' tasks, outcomes and timeouts all read its head), and each caller still sees
 * everything committed before its call, as if it had read alone: a task sent after a commit always
 * finds that commit.
 *
 * Reads are shared within a scope: the process, as in Lambda, where a container serves one
 * invocation at a time, or what `scope` names (the embedded local stack runs many invocations in
 * one process, and a read of one it kills never returns: its scope is its invocation).
 */
type Slots<T> = Map<string, { inFlight: Promise<T>; queued?: Promise<T> }>;

export class SharedReads<T> {
  private readonly unscoped: Slots<T> = new Map();
  private readonly scoped = new WeakMap<object, Slots<T>>();

  constructor(private readonly scope: () => object | undefined = () => undefined) {}

  private slotsOf(): Slots<T> {
    const scope = this.scope();
    if (scope === undefined) return this.unscoped;
    let slots = this.scoped.get(scope);
    if (!slots) {
      slots = new Map();
      this.scoped.set(scope, slots);
    }
    return slots;
  }

  read(key: string, load: () => Promise<T>): Promise<T> {
    const slots = this.slotsOf();
    const slot = slots.get(key);
    if (!slot) return this.start(slots, key, load());
    // Settled or not, the read in flight was sent before this call: wait for the next one.
    slot.queued ??= slot.inFlight.then(
      () => load(),
      () => load(),
    );
    return slot.queued;
  }

  private start(slots: Slots<T>, key: string, inFlight: Promise<T>): Promise<T> {
    const slot: { inFlight: Promise<T>; queued?: Promise<T> } = { inFlight };
    slots.set(key, slot);
    const settle = () => {
      // Callers that came while it ran share the queued read, which is in flight from now on.
      if (slot.queued) this.start(slots, key, slot.queued);
      else slots.delete(key);
    };
    inFlight.then(settle, settle);
    return inFlight;
  }
}
