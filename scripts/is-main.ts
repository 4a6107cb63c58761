// Whether a module is the script node was asked to run. Node gives import.meta.url with symlinks
// resolved and the path percent-encoded, while argv[1] is the path as typed, so compare the two
// through the same canonical file URL (a plain string compare silently failed under a symlink or a
// space in the path, and a gate script then did nothing and exited 0).
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

export function isMain(importMetaUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return importMetaUrl === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}
