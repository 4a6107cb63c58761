// The state directory holds secrets, logs and data: the directory is its owner's only (0700) and so
// is every secret and log file in it (0600), whether created now or left wider by an older version.
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the directory (and parents) if missing and makes it 0700. */
export function privateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(path, PRIVATE_DIR_MODE);
  return path;
}

/** Creates the file empty if missing (never truncates) and makes it 0600. */
export function privateFile(path: string): string {
  closeSync(openSync(path, "a", PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
  return path;
}
