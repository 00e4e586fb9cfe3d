import { describe, expect, it } from 'vitest';
import { formatMs, formatRatio, formatSummary, summarize } from '../../bench/stats.js';
import { markdownTable } from '../../bench/table.js';

describe('benchmark summaries', () => {
  it('gives the median and the middle half, whatever the order of the runs', () => {
    expect(summarize([40, 10, 30, 20, 50])).toEqual({ runs: 5, median: 30, p25: 20, p75: 40, min: 10, max: 50 });
  });

  it('interpolates between runs when the count is even', () => {
    const summary = summarize([1, 2, 3, 4]);
    expect(summary.median).toBe(2.5);
    expect(summary.p25).toBe(1.75);
    expect(summary.p75).toBe(3.25);
  });

  it('refuses to summarize nothing', () => {
    expect(() => summarize([])).toThrow('no samples');
  });

  it('prints milliseconds with sensible precision', () => {
    expect(formatMs(52.71)).toBe('52.7 ms');
    expect(formatMs(273.4)).toBe('273 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatSummary(summarize([100, 150, 200]))).toBe('150 ms (125 ms–175 ms)');
    expect(formatRatio(summarize([260]), summarize([100]))).toBe('2.60×');
  });
});

describe('markdown tables', () => {
  it('has a header, a rule, one line per row, and escapes pipes in cells', () => {
    expect(markdownTable(['Case', 'Time'], [['a | b', '1 ms']])).toBe('| Case | Time |\n| --- | --- |\n| a \\| b | 1 ms |');
  });
});
