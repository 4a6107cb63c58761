// `npm run events:replay -- --id <dlq_…>` replays one dead letter (`--id` may repeat); `-- --all` replays every unresolved
// one, oldest first; `-- --list` only lists them. Each replay goes through the running API's admin
// route (the writer's own path, exactly once per event id). Exits 1 when any replay still fails.

import { isMain } from "./is-main.ts";
import { adminKey } from "./reconcile.ts";

const api = process.env.DCE_API_URL ?? "http://127.0.0.1:8080";

interface DeadLetter {
  id: string;
  eventId: string | null;
  eventType: string | null;
  attempts: number;
  error: { class: string; sqlstate: string | null; message: string };
}

async function admin(
  path: string,
  method = "GET",
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${adminKey()}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Every unresolved dead letter, oldest first, page by page. */
export async function unresolved(): Promise<DeadLetter[]> {
  const all: DeadLetter[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const { status, body } = await admin(`/v1/admin/dead-letters?state=unresolved&limit=200${q}`);
    if (status !== 200) throw new Error(`listing dead letters failed: ${status} ${JSON.stringify(body)}`);
    all.push(...(body.items as DeadLetter[]));
    cursor = body.nextCursor as string | null;
  } while (cursor);
  return all;
}

/** Replays one; answers a line to print and whether it is resolved now. */
export async function replay(id: string): Promise<{ ok: boolean; line: string }> {
  const { status, body } = await admin(`/v1/admin/dead-letters/${encodeURIComponent(id)}/replay`, "POST");
  if (status === 200) return { ok: true, line: `${id}: ${body.outcome}` };
  const dl = body.deadLetter as DeadLetter | undefined;
  const why = dl
    ? `${dl.error.class}${dl.error.sqlstate ? ` ${dl.error.sqlstate}` : ""}: ${dl.error.message}`
    : "";
  return { ok: false, line: `${id}: ${status} ${body.code ?? ""} ${why}`.trim() };
}

const describe = (d: DeadLetter) =>
  `${d.id} ${d.eventType ?? "(malformed)"} ${d.eventId ?? ""} attempts=${d.attempts} ` +
  `${d.error.class}${d.error.sqlstate ? ` ${d.error.sqlstate}` : ""}`;

/** Every value given after `name` (`--id a --id b`). */
function args(name: string): string[] {
  return process.argv.flatMap((a, i) => (a === name && process.argv[i + 1] ? [process.argv[i + 1]!] : []));
}

if (isMain(import.meta.url)) {
  const given = args("--id");
  if (process.argv.includes("--list")) {
    const list = await unresolved();
    console.log(`${list.length} unresolved dead letter(s)`);
    for (const d of list) console.log(`  ${describe(d)}`);
    process.exit(0);
  }
  if (given.length === 0 && !process.argv.includes("--all")) {
    console.error("usage: npm run events:replay -- --id <dlq_…> | --all | --list");
    process.exit(2);
  }
  const ids = given.length > 0 ? given : (await unresolved()).map((d) => d.id);
  let failed = 0;
  for (const one of ids) {
    const r = await replay(one);
    if (!r.ok) failed++;
    console.log(r.line);
  }
  console.log(`replayed ${ids.length - failed} of ${ids.length} dead letter(s)`);
  process.exit(failed === 0 ? 0 : 1);
}
