// Hourly report rows (GET /v1/reports/{kind}?groupBy=hour) as Chart.js bar charts, in dollars.
import { access, type ViewRole } from "../../views/policy.ts";
import { Chart } from "../ui.tsx";

type Series = [field: string, label: string, colour: string];

/** The last 24 hours of a report as bars; series whose field the role may not see are left out. */
export function hourlyChart(
  id: string,
  title: string,
  rows: Record<string, unknown>[],
  series: Series[],
  role: ViewRole = "buyer",
) {
  const last = [...rows].sort((a, b) => String(a.hour).localeCompare(String(b.hour))).slice(-24);
  const shown = series.filter(([field]) => access(role, field) !== "no");
  const labels = last.map(
    (r) =>
      `${String(r.hour ?? "")
        .slice(5, 13)
        .replace("T", " ")}h`,
  );
  const datasets = shown.map(([field, label, colour]) => ({
    label,
    data: last.map((r) => (Number(r[field]) || 0) / 1_000_000),
    backgroundColor: colour,
  }));
  const totals = shown
    .map(
      ([field, label]) =>
        `${label} $${(last.reduce((s, r) => s + (Number(r[field]) || 0), 0) / 1e6).toFixed(2)}`,
    )
    .join(", ");
  return Chart({
    id,
    title,
    spec: { type: "bar", labels, datasets },
    summary: last.length === 0 ? "No calls yet in this period." : `${last.length} hours; totals: ${totals}.`,
  });
}
