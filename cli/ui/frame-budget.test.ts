import { describe, expect, it } from 'vitest';
import { createFrameBudget } from './frame-budget.js';

/** A process whose CPU use per wall-clock ms the test sets. */
function fakeProcess() {
  let clock = 0;
  let cpu = 0;
  return {
    clockMs: () => clock,
    cpuMs: () => cpu,
    run(ms: number, share: number) {
      clock += ms;
      cpu += ms * share;
    },
  };
}

describe('frame budget', () => {
  it('draws every 100 ms while the process stays under its share of a core', () => {
    const p = fakeProcess();
    const budget = createFrameBudget({ cpuShare: 0.08, ...p });
    for (let i = 0; i < 10; i++) {
      p.run(1000, 0.03);
      expect(budget.intervalMs()).toBe(100);
    }
  });

  it('spaces frames out while the process uses more, up to a second, and comes back when it can', () => {
    const p = fakeProcess();
    const budget = createFrameBudget({ cpuShare: 0.08, ...p });
    p.run(1000, 0.16);
    expect(budget.intervalMs()).toBe(200);
    p.run(1000, 0.16);
    expect(budget.intervalMs()).toBe(400);
    for (let i = 0; i < 5; i++) p.run(1000, 0.5), budget.intervalMs();
    expect(budget.intervalMs()).toBe(1000);
    for (let i = 0; i < 20; i++) p.run(1000, 0.02), budget.intervalMs();
    expect(budget.intervalMs()).toBe(100);
  });

  it('keeps the interval between measurements', () => {
    const p = fakeProcess();
    const budget = createFrameBudget({ cpuShare: 0.08, ...p });
    p.run(1000, 0.16);
    expect(budget.intervalMs()).toBe(200);
    p.run(300, 1);
    expect(budget.intervalMs()).toBe(200);
  });
});
