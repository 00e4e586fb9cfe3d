/** Summaries of repeated timings: the median and the middle half (p25–p75). */
export interface Summary {
  runs: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}

/** Linear interpolation between the closest ranks, as numpy's default percentile. */
function percentile(sorted: readonly number[], fraction: number): number {
  const rank = (sorted.length - 1) * fraction;
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  const low = sorted[below]!;
  const high = sorted[above]!;
  return low + (high - low) * (rank - below);
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    median: percentile(sorted, 0.5),
    p25: percentile(sorted, 0.25),
    p75: percentile(sorted, 0.75),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

export function verdict(met: boolean): string {
  return met ? 'met' : 'not met';
}

/** "< 1.00 s: met": the median against a goal it must stay under. */
export function underGoal(summary: Summary, goalMs: number): string {
  return `< ${formatMs(goalMs)}: ${verdict(summary.median < goalMs)}`;
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** "212 ms (198–240)": the median, then the middle half of the runs. */
export function formatSummary(summary: Summary): string {
  return `${formatMs(summary.median)} (${formatMs(summary.p25)}–${formatMs(summary.p75)})`;
}

export function formatRatio(numerator: Summary, denominator: Summary): string {
  return `${(numerator.median / denominator.median).toFixed(2)}×`;
}
