// CPU time of the workerd processes Miniflare starts, read from /proc: the
// benches divide it by requests served. A workerd process holds everything
// Miniflare runs for one worker: its isolate (JS glue + wasm), D1 (SQLite in
// the same process) and the HTTP front.
import { readFileSync, readdirSync } from 'node:fs';

function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { ppid: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch { /* exited meanwhile */ }
  }
  return table;
}

/** The pids of workerd processes below this Node process. */
export function workerdPids() {
  const table = processTable();
  const found = [];
  const walk = (pid) => {
    for (const [child, { ppid, comm }] of table) {
      if (ppid !== pid) continue;
      if (comm.startsWith('workerd')) found.push(child);
      walk(child);
    }
  };
  walk(process.pid);
  return found;
}

/** The one workerd process started by `start()` (an async function). */
export async function startedWorkerd(start) {
  const before = new Set(workerdPids());
  const result = await start();
  const added = workerdPids().filter((pid) => !before.has(pid));
  if (added.length !== 1) throw new Error(`expected one new workerd process, found ${added.length}`);
  return { result, pid: added[0] };
}

// USER_HZ: Linux reports /proc times in 1/100 s on every mainstream architecture.
const TICKS_PER_SECOND = 100;

/** CPU time (ms) process `pid` has used so far: user + system, all threads. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // utime and stime are fields 14 and 15; the slice starts at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}
