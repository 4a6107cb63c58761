// The console's stylesheet: plain CSS, system fonts, high-contrast colours (WCAG AA), visible focus.
export const CONSOLE_CSS = `
:root { --fg:#1a1d21; --muted:#4a5360; --bg:#f6f7f9; --card:#fff; --line:#d5d9e0; --accent:#0b57d0;
  --ok:#0a6b2d; --warn:#8a4b00; --bad:#a1151d; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
body { margin:0; color:var(--fg); background:var(--bg); font-size:15px; line-height:1.45; }
a { color:var(--accent); }
:focus-visible { outline:3px solid var(--accent); outline-offset:2px; }
.skip { position:absolute; left:-9999px; }
.skip:focus { left:8px; top:8px; background:#fff; padding:6px 10px; z-index:10; }
header.top { display:flex; align-items:center; gap:16px; padding:10px 20px; background:#12263f; color:#fff; }
header.top .brand { font-weight:700; }
header.top .who { margin-left:auto; font-size:13px; }
header.top button { background:transparent; color:#fff; border:1px solid #9fb3cc; border-radius:4px; padding:3px 10px; cursor:pointer; }
nav.main ul { list-style:none; display:flex; flex-wrap:wrap; gap:4px; margin:0; padding:8px 20px; background:#e3e8ef; }
nav.main a { display:block; padding:6px 12px; border-radius:4px; text-decoration:none; color:var(--fg); }
nav.main a[aria-current="page"] { background:var(--accent); color:#fff; }
main { padding:18px 20px 40px; max-width:1440px; }
h1 { font-size:22px; margin:4px 0 14px; }
h2 { font-size:17px; margin:0 0 10px; }
.grid { display:grid; grid-template-columns:repeat(auto-fit,minmax(260px,1fr)); gap:14px; margin-bottom:14px; }
section.card { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:14px; margin-bottom:14px; }
.stat { font-size:26px; font-weight:700; }
.muted { color:var(--muted); font-size:13px; }
table { border-collapse:collapse; width:100%; font-size:14px; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef1f5; font-weight:600; }
td.time { white-space:nowrap; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; background:#e3e8ef; }
.badge.ok { background:#d8f0df; color:var(--ok); } .badge.warn { background:#fbecd4; color:var(--warn); }
.badge.bad { background:#f8d9db; color:var(--bad); }
form.inline { display:inline; }
form.stack { display:grid; grid-template-columns:repeat(auto-fit,minmax(180px,1fr)); gap:10px; align-items:end; }
label { display:flex; flex-direction:column; gap:3px; font-size:13px; font-weight:600; }
input, select, textarea { font:inherit; font-weight:400; padding:6px 8px; border:1px solid #8a94a3; border-radius:4px; background:#fff; }
button, .button { font:inherit; padding:6px 14px; border-radius:4px; border:1px solid var(--accent); background:var(--accent); color:#fff; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary { background:#fff; color:var(--accent); }
.flash { padding:10px 14px; border-radius:6px; margin-bottom:14px; }
.flash.error { background:#f8d9db; color:var(--bad); } .flash.ok { background:#d8f0df; color:var(--ok); }
.chart { position:relative; height:240px; }
.table-wrap { overflow-x:auto; }
label.inline-label { display:inline; }
.inline-label input { width:6.5em; }
.signin { max-width:420px; margin:60px auto; }
.signin form { display:grid; gap:12px; }
`;
