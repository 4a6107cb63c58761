// Keeps the stack's fixed ports out of the kernel's ephemeral range. Several of them (daprd's gRPC
// ports 50101-50203, placement 50005, the scheduler's etcd 52379) lie inside Linux's default source-
// port range (32768-60999): any outbound connection on the machine may be given one as its local port,
// and a daprd started later then cannot bind it ("address already in use", seen in CI). Listing them in
// net.ipv4.ip_local_reserved_ports stops the kernel from handing them out.
import { readFileSync, writeFileSync } from "node:fs";
import type { RunApp } from "./plan.ts";
import { PORTS } from "./services.ts";

const RESERVED = "/proc/sys/net/ipv4/ip_local_reserved_ports";
const RANGE = "/proc/sys/net/ipv4/ip_local_port_range";

/** Every port the stack listens on: the services' and each app's and sidecar's. */
export function stackPorts(apps: RunApp[], apiPort: number): number[] {
  const ports: number[] = [...Object.values(PORTS), apiPort];
  for (const a of apps) {
    ports.push(a.daprHTTPPort, a.daprGRPCPort, a.daprInternalGRPCPort, a.metricsPort);
    if (a.appPort !== undefined) ports.push(a.appPort);
  }
  return [...new Set(ports.filter((p) => Number.isInteger(p) && p > 0))].sort((x, y) => x - y);
}

/** Parses the kernel's list ("8080,50000-50010") into single ports. */
export function parseReserved(list: string): Set<number> {
  const out = new Set<number>();
  for (const part of list.trim().split(",")) {
    if (part === "") continue;
    const [lo, hi] = part.split("-").map(Number);
    if (lo === undefined || !Number.isInteger(lo)) continue;
    for (let p = lo; p <= (hi ?? lo); p++) out.add(p);
  }
  return out;
}

/**
 * The list to write so that every port in `ports` that the ephemeral `range` could hand out is
 * reserved, keeping what was reserved before; undefined when nothing needs adding.
 */
export function withReserved(current: string, ports: number[], range: [number, number]): string | undefined {
  const have = parseReserved(current);
  const missing = ports.filter((p) => p >= range[0] && p <= range[1] && !have.has(p));
  if (missing.length === 0) return undefined;
  for (const p of missing) have.add(p);
  return [...have].sort((x, y) => x - y).join(",");
}

/**
 * Reserves the stack's ports where the kernel allows it (root, or a network namespace of one's own).
 * Without permission it says so and goes on: the ports are then only as safe as they were.
 */
export function reserveStackPorts(ports: number[], say: (line: string) => void): void {
  let current: string;
  let range: [number, number];
  try {
    current = readFileSync(RESERVED, "utf8");
    const [lo, hi] = readFileSync(RANGE, "utf8").trim().split(/\s+/).map(Number);
    range = [lo ?? 32768, hi ?? 60999];
  } catch {
    return; // not Linux: no such list
  }
  const next = withReserved(current, ports, range);
  if (next === undefined) return;
  try {
    writeFileSync(RESERVED, next);
  } catch (err) {
    say(
      `could not reserve the stack's ports in ${RESERVED} (${(err as NodeJS.ErrnoException).code}); ` +
        "an outbound connection may take one of them before its daprd binds it",
    );
  }
}
