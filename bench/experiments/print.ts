/** Shared one-line printer for the experiment scripts. */
import type { Stats } from "../load.js";

export function line(label: string, s: Stats): void {
  const f = (v: number, d = 3) => v.toFixed(d);
  console.log(
    `${label.padEnd(46)} ${f(s.perSec, 0).padStart(7)}/s  mean ${f(s.meanMs)}  p50 ${f(s.p50Ms)}  p99 ${f(s.p99Ms)}  node ${f(s.nodeCpuUsPerOp, 0)}us  pg ${f(s.pgCpuUsPerOp, 0)}us`,
  );
}
