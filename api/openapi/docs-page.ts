// /docs: the OpenAPI document rendered as one self-contained HTML page (no scripts, no CDN), so it
// works offline: operations by tag with their parameters, bodies and responses, then every error code.
type Json = Record<string, unknown>;

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const pre = (value: unknown) => `<pre>${esc(JSON.stringify(value, null, 2))}</pre>`;

function operationHtml(method: string, path: string, op: Json): string {
  const params = (op.parameters as Json[]) ?? [];
  const body = (op.requestBody as { content?: Record<string, { schema: unknown }> } | undefined)?.content;
  const responses = Object.entries(op.responses as Record<string, { description: string }>);
  return `<section class="op" id="${esc(op.operationId)}">
<h3><code class="m ${esc(method)}">${esc(method.toUpperCase())}</code> <code>${esc(path)}</code></h3>
<p>${esc(op.summary)} <span class="access">access: ${esc(op["x-access"])}</span></p>
${params.length ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? "yes" : "no"}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td></tr>`).join("")}</table>` : ""}
${
  body
    ? Object.entries(body)
        .map(
          ([type, b]) => `<details><summary>request body (${esc(type)})</summary>${pre(b.schema)}</details>`,
        )
        .join("")
    : ""
}
<table><tr><th>status</th><th>meaning</th></tr>${responses.map(([s, r]) => `<tr><td>${esc(s)}</td><td>${esc(r.description)}</td></tr>`).join("")}</table>
</section>`;
}

export function renderDocs(doc: Json): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const ops = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  const tags = [...new Set(ops.map((o) => (o.op.tags as string[])[0]!))];
  const codes = doc["x-error-codes"] as Record<string, { status: number; kind: string; description: string }>;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
code,pre{font:13px ui-monospace,monospace}pre{background:#f6f6f6;padding:.6em;overflow:auto}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}
.op{border-top:1px solid #ccc;padding:.3em 0}.m{font-weight:bold}.get{color:#06c}.post{color:#080}.patch{color:#a60}.delete{color:#c00}
.access{color:#777;font-size:90%;margin-left:1em}
</style></head><body>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1>
<p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p>
<nav><ul>${tags.map((t) => `<li><a href="#tag-${esc(t)}">${esc(t)}</a></li>`).join("")}<li><a href="#codes">error codes</a></li></ul></nav>
${tags
  .map(
    (t) =>
      `<h2 id="tag-${esc(t)}">${esc(t)}</h2>${ops
        .filter((o) => (o.op.tags as string[])[0] === t)
        .map((o) => operationHtml(o.method, o.path, o.op))
        .join("\n")}`,
  )
  .join("\n")}
<h2 id="codes">Error codes</h2>
<p>Every error is <code>application/problem+json</code> with one of these stable codes.</p>
<table><tr><th>code</th><th>status</th><th>kind</th><th>meaning</th></tr>
${Object.entries(codes)
  .map(
    ([code, c]) =>
      `<tr><td><code>${esc(code)}</code></td><td>${c.status}</td><td>${esc(c.kind)}</td><td>${esc(c.description)}</td></tr>`,
  )
  .join("\n")}
</table>
<h2>Problem schema</h2>${pre((doc.components as { schemas: Json }).schemas.Problem)}
</body></html>
`;
}
