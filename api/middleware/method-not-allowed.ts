// 405 for a known path asked with a method it does not serve: which methods do the app's routes allow?
import type { RouterRoute } from "hono/types";

const patternOf = (path: string) =>
  new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\/:[^/]+/g, "/[^/]+")}/?$`);

/** The methods registered for `path` (middleware and wildcard routes aside), HEAD implied by GET. */
export function allowedMethods(routes: RouterRoute[], path: string): string[] {
  const allowed = new Set<string>();
  for (const r of routes) {
    if (r.method === "ALL" || r.path.includes("*")) continue;
    if (patternOf(r.path).test(path)) allowed.add(r.method);
  }
  if (allowed.has("GET")) allowed.add("HEAD");
  return [...allowed].sort();
}
