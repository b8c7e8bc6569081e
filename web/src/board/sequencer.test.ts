import { describe, expect, it } from 'vitest';
import { EventSequencer } from './sequencer';

interface Ev {
  seq?: number;
  name: string;
}

function setup(opts: { gapWaitMs?: number; maxHeld?: number } = {}) {
  const applied: string[] = [];
  let resyncs = 0;
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const seq = new EventSequencer<Ev>({
    apply: (ev) => applied.push(ev.name),
    resync: () => {
      resyncs += 1;
    },
    gapWaitMs: opts.gapWaitMs ?? 1000,
    maxHeld: opts.maxHeld,
    setTimer: (fn, ms) => timers.push({ fn, ms, cleared: false }) - 1,
    clearTimer: (i) => {
      const t = timers[i as number];
      if (t) t.cleared = true;
    },
  });
  const live = () => timers.filter((t) => !t.cleared);
  const fire = () => {
    const t = live()[0]!;
    t.cleared = true;
    t.fn();
  };
  return { seq, applied, resyncs: () => resyncs, live, fire };
}

const ev = (seq: number) => ({ seq, name: `e${seq}` });

describe('board event sequencer', () => {
  it('applies the next event and drops those already reflected', () => {
    const { seq, applied } = setup();
    seq.loaded(10);
    seq.push(ev(11));
    seq.push(ev(11));
    seq.push(ev(9));
    expect(applied).toEqual(['e11']);
    expect(seq.current).toBe(11);
  });

  it('holds an event that skips ahead and applies both in order when the missing one arrives', () => {
    const { seq, applied, resyncs, live } = setup();
    seq.loaded(10);
    seq.push(ev(12));
    seq.push(ev(13));
    expect(applied).toEqual([]);
    expect(seq.waiting).toBe(true);
    expect(live().map((t) => t.ms)).toEqual([1000]);
    seq.push(ev(11));
    expect(applied).toEqual(['e11', 'e12', 'e13']);
    expect(seq.waiting).toBe(false);
    expect(live()).toEqual([]);
    expect(resyncs()).toBe(0);
  });

  it('re-fetches once when the missing event does not come in time', () => {
    const { seq, applied, resyncs, fire } = setup();
    seq.loaded(10);
    seq.push(ev(12));
    seq.push(ev(14));
    fire();
    expect(resyncs()).toBe(1);
    expect(applied).toEqual([]);
    // The re-fetch: events during the load are held, then those after the snapshot applied.
    seq.beginLoad();
    seq.push(ev(15));
    seq.loaded(13);
    expect(applied).toEqual(['e14', 'e15']);
    expect(seq.waiting).toBe(false);
    expect(resyncs()).toBe(1);
  });

  it('holds every event during a load, and re-arms the wait when the snapshot leaves a gap', () => {
    const { seq, applied, resyncs, live } = setup();
    seq.beginLoad();
    seq.push(ev(3));
    seq.push(ev(6));
    expect(applied).toEqual([]);
    seq.loaded(4);
    expect(applied).toEqual([]);
    expect(live()).toHaveLength(1);
    seq.push(ev(5));
    expect(applied).toEqual(['e5', 'e6']);
    expect(resyncs()).toBe(0);
  });

  it('re-fetches at once when too many events wait behind a gap', () => {
    const { seq, resyncs } = setup({ maxHeld: 3 });
    seq.loaded(0);
    for (let i = 2; i <= 5; i++) seq.push(ev(i));
    expect(resyncs()).toBe(1);
  });

  it('carries on after a failed load', () => {
    const { seq, applied } = setup();
    seq.loaded(1);
    seq.beginLoad();
    seq.push(ev(2));
    seq.loadFailed();
    expect(applied).toEqual(['e2']);
  });

  it('applies events without a number at once, once loaded', () => {
    const { seq, applied } = setup();
    seq.push({ name: 'early' });
    seq.loaded(1);
    seq.push({ name: 'plain' });
    expect(applied).toEqual(['plain']);
  });
});
