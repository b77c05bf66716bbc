/**
 * A monotonic clock in milliseconds for the scheduler, the warm-up and timing logs.
 *
 * Not `performance.now()`: in Node the global `performance` is a lazy getter whose first read
 * loads perf_hooks and ten internal modules, 1.3–1.8 ms that landed inside the first didOpen
 * (the scheduler's first job is the first document's validation). Lint forbids `performance`
 * in server/src for that reason.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
