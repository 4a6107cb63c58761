// A minimal SVG line chart for benchmark reports (no dependencies): one or more series over x.
export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
  logX = false,
): string {
  const W = 640;
  const H = 360;
  const m = { l: 70, r: 20, t: 40, b: 50 };
  const all = series.flatMap((s) => s.points);
  const fx = (x: number) => (logX ? Math.log10(x) : x);
  const xs = all.map((p) => fx(p.x));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const y1 = Math.max(...all.map((p) => p.y)) * 1.1 || 1;
  const px = (x: number) => m.l + ((fx(x) - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - (y / y1) * (H - m.t - m.b);
  const ticks = [...new Set(all.map((p) => p.x))].sort((a, b) => a - b);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${title}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">${xLabel}</text>`,
    `<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${yLabel}</text>`,
  ];
  for (const t of ticks) out.push(`<text x="${px(t)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`);
  for (let i = 0; i <= 4; i++) {
    const y = (y1 * i) / 4;
    out.push(
      `<text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end">${y >= 100 ? Math.round(y) : y.toFixed(1)}</text>`,
    );
    out.push(`<line x1="${m.l}" y1="${py(y)}" x2="${W - m.r}" y2="${py(y)}" stroke="#eee"/>`);
  }
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const d = s.points.map((p, j) => `${j ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ");
    out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const p of s.points) out.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3" fill="${c}"/>`);
    out.push(`<text x="${W - m.r - 150}" y="${m.t + 16 * (i + 1)}" fill="${c}">${s.name}</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}
