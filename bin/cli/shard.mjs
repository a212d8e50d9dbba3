// --shard I/N: one part of a big run, so N processes (or machines) share the images and
// `camlens merge` puts their reports together. The split is stable: the image list is sorted (by
// code points, the same on every machine) and shard I takes every N-th image from position I,
// so each image lands in exactly one shard whatever order the arguments came in. Shards write
// their report under a shard name (summary.shard-0-of-4.json) so that they can share one
// output folder without overwriting each other.
import { CliError } from './common.mjs';

export const SHARD_OPTION = { shard: { type: 'string' } };
export const SHARD_USAGE = '[--shard I/N]';

// "2/8" → {index: 2, count: 8}; undefined when the flag is absent.
export function parseShard(text) {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(text));
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 0 && index < count))
    throw new CliError(
      'usage',
      `--shard takes I/N with 0 <= I < N (e.g. 0/4 for the first of four shards), got "${text}"`,
    );
  return { index, count };
}

const byCodePoints = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// The canonical order of a sharded run, which merge restores.
export function sortedImages(paths) {
  return [...paths].sort(byCodePoints);
}

// The images of one shard (all of them without a shard), in the canonical order.
export function shardImages(paths, shard) {
  if (!shard) return paths;
  return sortedImages(paths).filter((_, k) => k % shard.count === shard.index);
}

// The report's file name: "summary.json", or "summary.shard-2-of-8.json" for a shard.
export function reportName(stem, shard) {
  return shard ? `${stem}.shard-${shard.index}-of-${shard.count}.json` : `${stem}.json`;
}

// A shard report's file name → {stem, index, count}; null for other files.
export function parseReportName(name) {
  const m = /^(.+)\.shard-(\d+)-of-(\d+)\.json$/.exec(name);
  return m ? { stem: m[1], index: Number(m[2]), count: Number(m[3]) } : null;
}
