// CPU time per stack process, from /proc: where an offer's CPU goes, summed over every process.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { STATE_DIR } from "../../api/e2e/stack.ts";

export function stackPids(): Record<string, number> {
  return (
    JSON.parse(readFileSync(join(STATE_DIR, "stack.json"), "utf8")) as { processes: Record<string, number> }
  ).processes;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (clock ticks of 10 ms). */
function procCpuMs(pid: number | string, reapedChildren = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const own = Number(fields[11]) + Number(fields[12]);
    return (own + (reapedChildren ? Number(fields[13]) + Number(fields[14]) : 0)) * 10;
  } catch {
    return 0;
  }
}

/** Live children of `pid` (Postgres serves each connection from a backend process of its own). */
function childrenOf(pid: number): string[] {
  return readdirSync("/proc").filter((d) => {
    if (!/^\d+$/.test(d)) return false;
    try {
      return Number(readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1]!.split(" ")[1]) === pid;
    } catch {
      return false;
    }
  });
}

/**
 * A per-process counter read for each stack process; Postgres serves each connection from a backend
 * process of its own, so its live backends are added to it (`master` marks the postmaster's own read).
 */
function overStack(read: (pid: number | string, master: boolean) => number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(stackPids())) {
    out[name] = read(pid, name === "postgres");
    if (name === "postgres") for (const child of childrenOf(pid)) out[name] += read(child, false);
  }
  return out;
}

/** CPU ms each stack process has used so far; Postgres counts its backends, live and ended, too. */
export const cpuMs = (): Record<string, number> => overStack((pid, master) => procCpuMs(pid, master));

/** Read and write system calls (socket and file I/O alike) a process has made so far, from /proc. */
function procSyscalls(pid: number | string): number {
  try {
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    return Number(/syscr: (\d+)/.exec(io)?.[1] ?? 0) + Number(/syscw: (\d+)/.exec(io)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Read and write system calls each stack process has made so far (Postgres: its live backends too). A
 * count, so unlike CPU time it does not move with the machine's other load: on loopback each write also
 * carries the kernel's delivery of the data, which makes it the offer path's main cost per round trip.
 */
export const syscalls = (): Record<string, number> => overStack((pid) => procSyscalls(pid));

/**
 * Each process's growth of a counter during a run divided by the offers made, with their total: where
 * the CPU ms (or system calls) of an offer go.
 */
export function perOffer(before: Record<string, number>, after: Record<string, number>, offers: number) {
  const per: Record<string, number> = {};
  for (const name of Object.keys(after)) {
    per[name] = Math.round((((after[name] ?? 0) - (before[name] ?? 0)) / offers) * 100) / 100;
  }
  per.total = Math.round(Object.values(per).reduce((a, b) => a + b, 0) * 100) / 100;
  return per;
}
