// Test-only crash points: a process armed at a named point kills itself there (SIGKILL, no cleanup).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The named points, each between two steps whose separation could lose or double money if a crash
 * there were not recovered from: a retry or a redelivery must complete the work exactly once.
 */
export const CRASH_POINTS = [
  // The events app committed a batch (ledger postings included) but has not acknowledged it to daprd.
  "events.after_commit_before_ack",
  // The call actor captured the buyer's hold but has not saved the call (nor raised call.billable).
  "call.after_capture_before_save",
  // The call actor captured a conversion's charge but has not saved the call (nor raised call.billable).
  "call.after_conversion_capture_before_save",
  // The buyer actor recorded a capture's settlement but has not written its state (the hold is still there).
  "buyer.after_settlement_before_write",
  // An actor wrote its document and outbox but has not published the outbox's events.
  "actor.after_write_before_publish",
  // The call's offer has a buyer's reservation but has not saved the call (its saga must undo the hold):
  // the actor host dies there, or (the `fail_` point, armed with faultPoint) the offer throws there.
  "call.after_reserve_before_save",
  "call.fail_after_reserve_before_save",
  // The call's offer saved the call, but the answer is lost (Redis killed after the write): the offer
  // throws there, and its saga must not undo the holds the saved call owns.
  "call.fail_after_save",
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** What an armed point leaves behind when it fires, read by the test that armed it. */
export interface CrashRecord {
  point: CrashPoint;
  pid: number;
  subjects: string[];
  at: string;
}

/**
 * The directory arms are read from, or undefined: crash points are off unless the process starts with
 * DCE_CRASH_POINTS_DIR set (the e2e stack launcher does; the Helm chart never can), and always off in
 * the production image (NODE_ENV=production).
 */
export function crashPointsDir(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.DCE_CRASH_POINTS_DIR;
  return dir && env.NODE_ENV !== "production" ? dir : undefined;
}

const dir = crashPointsDir(process.env);

/**
 * Passes a crash point. Unarmed (always in production) this is one comparison. Armed (a file
 * `<point>.armed` in the directory, optionally naming one subject to match), the first process to pass
 * it with a matching subject claims the arm, records itself in `<point>.fired` and dies on the spot.
 * `subjects` is only called when crash points are on.
 */
export function crashPoint(point: CrashPoint, subjects: () => string[]): void {
  if (dir === undefined) return;
  const fired = claim(dir, point, subjects());
  if (fired) process.kill(process.pid, "SIGKILL");
}

/**
 * Like `crashPoint`, but an armed pass throws instead of killing the process: a failure the code
 * around it must handle (the offer's saga undoing a reservation at once). Off exactly when crash
 * points are.
 */
export function faultPoint(point: CrashPoint, subjects: () => string[]): void {
  if (dir === undefined) return;
  if (claim(dir, point, subjects())) throw new Error(`fault injected at ${point}`);
}

/** Claims an armed point for this process (atomically, across processes) and records it; else null. */
export function claim(armDir: string, point: CrashPoint, subjects: string[]): CrashRecord | null {
  const armFile = join(armDir, `${point}.armed`);
  if (!existsSync(armFile)) return null; // not armed (the usual case when on)
  let arm: { match?: string; times?: number };
  try {
    arm = JSON.parse(readFileSync(armFile, "utf8")) as { match?: string; times?: number };
  } catch {
    return null; // claimed meanwhile by another process
  }
  if (arm.match !== undefined && !subjects.includes(arm.match)) return null;
  try {
    renameSync(armFile, join(armDir, `${point}.claimed.${process.pid}`));
  } catch {
    return null; // another process claimed it first
  }
  const record: CrashRecord = { point, pid: process.pid, subjects, at: new Date().toISOString() };
  writeFileSync(join(armDir, `${point}.fired`), JSON.stringify(record));
  // Armed for several passes (a fault that must outlast the sidecar's retries): armed again for the rest.
  if ((arm.times ?? 1) > 1) writeArm(armDir, point, { ...arm, times: (arm.times ?? 1) - 1 });
  return record;
}

function writeArm(armDir: string, point: CrashPoint, arm: { match?: string; times?: number }): void {
  const tmp = join(armDir, `${point}.arming.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(arm));
  renameSync(tmp, join(armDir, `${point}.armed`));
}

/**
 * Arms a point (tests only): the next pass with `match` among its subjects (any pass without) fires;
 * with `times`, that many such passes fire, one after another.
 */
export function armCrash(armDir: string, point: CrashPoint, match?: string, times = 1): void {
  mkdirSync(armDir, { recursive: true });
  rmSync(join(armDir, `${point}.fired`), { force: true });
  writeArm(armDir, point, { ...(match === undefined ? {} : { match }), ...(times > 1 ? { times } : {}) });
}

/** Disarms a point that may not have fired (tests only). */
export function disarmCrash(armDir: string, point: CrashPoint): void {
  rmSync(join(armDir, `${point}.armed`), { force: true });
}

/** The record a fired point left, or null (tests only). */
export function firedCrash(armDir: string, point: CrashPoint): CrashRecord | null {
  try {
    return JSON.parse(readFileSync(join(armDir, `${point}.fired`), "utf8")) as CrashRecord;
  } catch {
    return null;
  }
}
