// Side-by-side timing: every contender runs the same work in the same run, in alternating
// order, and we report min/median/max and each median's ratio to the first contender's.

import { spawnSync } from 'node:child_process';

export interface Contender {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** run (untimed) before each timed run, e.g. to reset state */
  readonly before?: () => void;
}

export interface Result {
  readonly name: string;
  readonly samplesMs: number[];
  readonly median: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function timeOnce(contender: Contender): number {
  contender.before?.();
  const started = process.hrtime.bigint();
  const result = spawnSync(contender.argv[0], contender.argv.slice(1), { env: contender.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${contender.name} failed (exit ${result.status}): ${result.stderr?.toString().trim()}`);
  }
  return elapsed;
}

export function compare(title: string, contenders: readonly Contender[], runs = 21, warmup = 2): Result[] {
  for (const contender of contenders) for (let i = 0; i < warmup; i += 1) timeOnce(contender);
  const samples = contenders.map(() => [] as number[]);
  for (let round = 0; round < runs; round += 1) {
    const order = contenders.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) samples[index].push(timeOnce(contenders[index]));
  }
  const results = contenders.map((contender, index) => ({ name: contender.name, samplesMs: samples[index], median: median(samples[index]) }));
  const baseline = results[0].median;
  console.log(`\n${title} (${runs} runs each, alternating)`);
  console.log(`${'contender'.padEnd(34)}${'min'.padStart(9)}${'median'.padStart(9)}${'max'.padStart(9)}${'ratio'.padStart(8)}`);
  for (const result of results) {
    const min = Math.min(...result.samplesMs);
    const max = Math.max(...result.samplesMs);
    console.log(`${result.name.padEnd(34)}${min.toFixed(1).padStart(9)}${result.median.toFixed(1).padStart(9)}${max.toFixed(1).padStart(9)}${(result.median / baseline).toFixed(2).padStart(8)}`);
  }
  return results;
}
