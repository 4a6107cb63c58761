// The tracking-number import file: CSV with a `number,sellerCampaignId,tags` header, tags `;`-separated.
export interface CsvRow {
  /** The row's line in the file (the header is line 1). */
  line: number;
  /** The row as a create body, or why its fields could not be read. */
  input?: { number: string; sellerCampaignId: string; tags: string[] };
  error?: string;
  /** The first field as written (for the row's answer even when the row is unreadable). */
  number: string;
}

export type CsvFile = { ok: true; rows: CsvRow[] } | { ok: false; detail: string };

const COLUMNS = ["number", "sellerCampaignId", "tags"] as const;

/** The fields of one line: commas separate, double quotes enclose (`""` is a quote); null if unbalanced. */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === ",") {
      fields.push(wasQuoted ? field : field.trim());
      field = "";
      wasQuoted = false;
    } else if (ch === '"' && field.trim() === "") {
      quoted = true;
      wasQuoted = true;
      field = "";
    } else field += ch;
  }
  if (quoted) return null;
  fields.push(wasQuoted ? field : field.trim());
  return fields;
}

/** `a; b;;c` → `["a", "b", "c"]`. */
export const splitTags = (text: string): string[] =>
  text
    .split(";")
    .map((t) => t.trim())
    .filter((t) => t !== "");

/**
 * Reads an import file: the header must name `number` and `sellerCampaignId` (and may name `tags`), in
 * any order, nothing else. Blank lines are skipped; a row that cannot be read is answered on its own.
 */
export function parseNumbersCsv(text: string): CsvFile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "");
  if (!header || header.every((h) => h === ""))
    return { ok: false, detail: "the file has no header line `number,sellerCampaignId,tags`" };
  const unknown = header.filter((h) => !(COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0 || new Set(header).size !== header.length)
    return { ok: false, detail: `the header names columns other than ${COLUMNS.join(",")} (or one twice)` };
  for (const needed of ["number", "sellerCampaignId"])
    if (!header.includes(needed)) return { ok: false, detail: `the header has no \`${needed}\` column` };
  const at = (name: string) => header.indexOf(name);
  const rows: CsvRow[] = [];
  lines.slice(1).forEach((raw, i) => {
    if (raw.trim() === "") return;
    const line = i + 2;
    const fields = splitCsvLine(raw);
    if (!fields) {
      rows.push({ line, number: "", error: "an opening double quote is never closed" });
      return;
    }
    const number = fields[at("number")] ?? "";
    if (fields.length !== header.length) {
      rows.push({ line, number, error: `has ${fields.length} fields; the header names ${header.length}` });
      return;
    }
    const tags = at("tags") >= 0 ? splitTags(fields[at("tags")] ?? "") : [];
    rows.push({
      line,
      number,
      input: { number, sellerCampaignId: fields[at("sellerCampaignId")] ?? "", tags },
    });
  });
  return { ok: true, rows };
}
