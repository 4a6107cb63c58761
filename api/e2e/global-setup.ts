// vitest global setup for the e2e tier: make sure the real stack is up for the whole run.
import type { ChildProcess } from "node:child_process";
import { isReady, startStack, stopStack } from "./stack.ts";

let started: ChildProcess | undefined;

export async function setup(): Promise<void> {
  if (await isReady()) return;
  started = await startStack();
}

export async function teardown(): Promise<void> {
  if (started) await stopStack(started);
}
