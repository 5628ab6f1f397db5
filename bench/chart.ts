/** One bar of the chart: a scenario as a ratio (by CPU per request to its target's base, or by requests/s to bare Koa). */
export interface ChartBar {
  label: string;
  ratio: number;
  rps: number;
  /** The ratio the scenario has to reach, drawn as a tick on its bar. */
  target?: number;
  kind: "ceiling" | "floor" | "peer" | "framework";
}

/** Bars under a heading of their own, on the chart's one scale. */
export interface ChartSection {
  heading: string;
  bars: ChartBar[];
}

export interface ChartOptions {
  title: string;
  subtitle: string;
  sections: ChartSection[];
}

const COLORS = { ceiling: "#9aa5b1", floor: "#6b8f71", peer: "#c98b5e", framework: "#3b6fb6" } as const;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A horizontal bar chart as a standalone SVG document: no browser, no library. */
export function renderChart({ title, subtitle, sections }: ChartOptions): string {
  const width = 900;
  const left = 330;
  const right = 190;
  const top = 70;
  const headingHeight = 30;
  const rowHeight = 34;
  const barHeight = 20;
  const plotWidth = width - left - right;
  const bars = sections.flatMap((section) => section.bars);
  const plotHeight = sections.reduce((h, section) => h + headingHeight + section.bars.length * rowHeight, 0);
  const height = top + plotHeight + 56;
  const max = Math.max(1.1, ...bars.map((b) => Math.max(b.ratio, b.target ?? 0))) * 1.05;
  const x = (ratio: number) => left + (ratio / max) * plotWidth;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="28" font-size="17" font-weight="bold" fill="#1f2933">${escape(title)}</text>`);
  out.push(`<text x="16" y="50" fill="#52606d">${escape(subtitle)}</text>`);
  // Grid every 0.25x, labelled every 0.5x; the 1.0x line (as fast as the base) dashed.
  for (let tick = 0; tick <= max + 1e-9; tick += 0.25) {
    const tx = x(tick).toFixed(1);
    const major = Math.abs(tick * 2 - Math.round(tick * 2)) < 1e-9;
    out.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${top + plotHeight}" stroke="${tick === 1 ? "#7b8794" : "#e4e7eb"}" stroke-width="1"${tick === 1 ? ' stroke-dasharray="4 3"' : ""}/>`);
    if (major) out.push(`<text x="${tx}" y="${top + plotHeight + 18}" text-anchor="middle" fill="#52606d">${tick.toFixed(1)}x</text>`);
  }
  let y = top;
  for (const section of sections) {
    out.push(`<text x="16" y="${y + 20}" font-weight="bold" fill="#1f2933">${escape(section.heading)}</text>`);
    y += headingHeight;
    for (const bar of section.bars) {
      const barY = y + (rowHeight - barHeight) / 2;
      out.push(`<text x="${left - 10}" y="${barY + barHeight / 2 + 4}" text-anchor="end" fill="#1f2933">${escape(bar.label)}</text>`);
      out.push(`<rect x="${left}" y="${barY}" width="${Math.max(1, x(bar.ratio) - left).toFixed(1)}" height="${barHeight}" fill="${COLORS[bar.kind]}" rx="2"/>`);
      const verdict = bar.target === undefined ? "" : bar.ratio >= bar.target ? " ✓ pass" : " ✗ fail";
      out.push(`<text x="${(x(Math.max(bar.ratio, bar.target ?? 0)) + 8).toFixed(1)}" y="${barY + barHeight / 2 + 4}" fill="#1f2933">${bar.ratio.toFixed(2)}x · ${fmt(bar.rps)} req/s${verdict}</text>`);
      if (bar.target !== undefined) {
        const tx = x(bar.target).toFixed(1);
        out.push(`<line x1="${tx}" y1="${barY - 4}" x2="${tx}" y2="${barY + barHeight + 4}" stroke="#c81e1e" stroke-width="2.5"/>`);
      }
      y += rowHeight;
    }
  }
  const legendY = height - 14;
  const legend: Array<[string, string]> = [
    [COLORS.ceiling, "bare Koa"],
    [COLORS.floor, "floors (plain Koa code)"],
    [COLORS.peer, "koa-session peers"],
    [COLORS.framework, "this framework"],
    ["#c81e1e", "target"],
  ];
  let lx = 16;
  for (const [color, text] of legend) {
    out.push(`<rect x="${lx}" y="${legendY - 10}" width="12" height="12" fill="${color}"/>`);
    out.push(`<text x="${lx + 17}" y="${legendY}" fill="#52606d">${escape(text)}</text>`);
    lx += 32 + text.length * 7;
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
