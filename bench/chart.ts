/** One bar of the chart: a scenario's requests/s as a ratio of bare Koa. */
export interface ChartBar {
  label: string;
  ratio: number;
  rps: number;
  /** The ratio the scenario has to reach, drawn as a tick on its bar. */
  target?: number;
  kind: "ceiling" | "peer" | "framework";
}

export interface ChartOptions {
  title: string;
  subtitle: string;
  bars: ChartBar[];
}

const COLORS = { ceiling: "#9aa5b1", peer: "#c98b5e", framework: "#3b6fb6" } as const;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A horizontal bar chart as a standalone SVG document: no browser, no library. */
export function renderChart({ title, subtitle, bars }: ChartOptions): string {
  const width = 860;
  const left = 290;
  const right = 190;
  const top = 78;
  const rowHeight = 38;
  const barHeight = 22;
  const plotWidth = width - left - right;
  const height = top + bars.length * rowHeight + 56;
  const max = Math.max(1.1, ...bars.map((b) => Math.max(b.ratio, b.target ?? 0))) * 1.05;
  const x = (ratio: number) => left + (ratio / max) * plotWidth;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="28" font-size="17" font-weight="bold" fill="#1f2933">${escape(title)}</text>`);
  out.push(`<text x="16" y="50" fill="#52606d">${escape(subtitle)}</text>`);
  // Grid every 0.25x, labelled every 0.5x.
  for (let tick = 0; tick <= max + 1e-9; tick += 0.25) {
    const tx = x(tick).toFixed(1);
    const major = Math.abs(tick * 2 - Math.round(tick * 2)) < 1e-9;
    out.push(`<line x1="${tx}" y1="${top - 8}" x2="${tx}" y2="${top + bars.length * rowHeight}" stroke="${tick === 1 ? "#7b8794" : "#e4e7eb"}" stroke-width="1"${tick === 1 ? ' stroke-dasharray="4 3"' : ""}/>`);
    if (major) out.push(`<text x="${tx}" y="${top + bars.length * rowHeight + 18}" text-anchor="middle" fill="#52606d">${tick.toFixed(1)}x</text>`);
  }
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    const barY = y + (rowHeight - barHeight) / 2;
    out.push(`<text x="${left - 10}" y="${barY + barHeight / 2 + 4}" text-anchor="end" fill="#1f2933">${escape(bar.label)}</text>`);
    out.push(`<rect x="${left}" y="${barY}" width="${Math.max(1, x(bar.ratio) - left).toFixed(1)}" height="${barHeight}" fill="${COLORS[bar.kind]}" rx="2"/>`);
    const met = bar.target === undefined || bar.ratio >= bar.target;
    out.push(`<text x="${(x(Math.max(bar.ratio, bar.target ?? 0)) + 8).toFixed(1)}" y="${barY + barHeight / 2 + 4}" fill="#1f2933">${bar.ratio.toFixed(2)}x · ${fmt(bar.rps)} req/s${bar.target === undefined ? "" : met ? " ✓" : " ✗"}</text>`);
    if (bar.target !== undefined) {
      const tx = x(bar.target).toFixed(1);
      out.push(`<line x1="${tx}" y1="${barY - 4}" x2="${tx}" y2="${barY + barHeight + 4}" stroke="#c81e1e" stroke-width="2.5"/>`);
    }
  });
  const legendY = height - 14;
  const legend: Array<[string, string]> = [
    [COLORS.ceiling, "bare Koa (ceiling)"],
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
