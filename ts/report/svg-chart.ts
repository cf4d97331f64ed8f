/** One line of a chart. */
export interface Series {
  name: string;
  values: number[];
  color?: string;
  dashed?: boolean;
}

export interface ChartPanel {
  title: string;
  yLabel: string;
  /** Default 'epoch'. */
  xLabel?: string;
  series: Series[];
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** Round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/**
 * Line charts side by side as one standalone SVG (no dependencies): per-epoch curves such as
 * train/validation loss and accuracy. x is the epoch (1-based).
 */
export function lineChartsSvg(panels: ChartPanel[], opts: { width?: number; height?: number; title?: string } = {}): string {
  const W = opts.width ?? 480 * panels.length;
  const H = opts.height ?? 340;
  const pw = W / panels.length;
  const m = { l: 58, r: 16, t: opts.title ? 54 : 34, b: 44 };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (opts.title) parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  panels.forEach((p, pi) => {
    const x0 = pi * pw + m.l;
    const x1 = (pi + 1) * pw - m.r;
    const y0 = H - m.b;
    const y1 = m.t;
    const all = p.series.flatMap((s) => s.values).filter(Number.isFinite);
    const n = Math.max(1, ...p.series.map((s) => s.values.length));
    let lo = Math.min(...all);
    let hi = Math.max(...all);
    if (!all.length) [lo, hi] = [0, 1];
    if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    const sx = (i: number) => x0 + (n === 1 ? (x1 - x0) / 2 : ((x1 - x0) * i) / (n - 1));
    const sy = (v: number) => y0 - ((y0 - y1) * (v - lo)) / (hi - lo);
    parts.push(`<text x="${(x0 + x1) / 2}" y="${m.t - 12}" text-anchor="middle" font-size="13" font-weight="bold">${esc(p.title)}</text>`);
    for (const t of ticks(lo, hi)) {
      parts.push(`<line x1="${x0}" x2="${x1}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
      parts.push(`<text x="${x0 - 6}" y="${sy(t) + 4}" text-anchor="end" fill="#444">${+t.toPrecision(4)}</text>`);
    }
    for (const t of ticks(1, n, Math.min(10, n))) {
      if (!Number.isInteger(t)) continue;
      parts.push(`<text x="${sx(t - 1)}" y="${y0 + 16}" text-anchor="middle" fill="#444">${t}</text>`);
    }
    parts.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#888"/>`);
    parts.push(`<text x="${(x0 + x1) / 2}" y="${H - 8}" text-anchor="middle">${esc(p.xLabel ?? 'epoch')}</text>`);
    parts.push(`<text transform="translate(${x0 - 44} ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
    // legend on a translucent box so it stays readable over the curves
    // about 7 px per character of the longest name, plus the line sample
    const lw = 40 + 7 * Math.max(...p.series.map((q) => q.name.length), 6);
    parts.push(`<rect x="${x1 - lw - 4}" y="${y1 + 4}" width="${lw}" height="${p.series.length * 16 + 6}" fill="white" fill-opacity="0.85" stroke="#ddd"/>`);
    p.series.forEach((s, si) => {
      const color = s.color ?? PALETTE[si % PALETTE.length];
      const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${sx(i).toFixed(1)},${sy(v).toFixed(1)}` : null)).filter(Boolean);
      if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.join(' ')}"/>`);
      for (const pt of pts) {
        const [cx, cy] = pt!.split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
      }
      const ly = y1 + 16 + si * 16;
      parts.push(`<line x1="${x1 - lw + 2}" x2="${x1 - lw + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      parts.push(`<text x="${x1 - lw + 30}" y="${ly}">${esc(s.name)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** The usual training plot: loss and (when present) accuracy, train vs validation. */
export function historySvg(history: Record<string, number[]>, title?: string): string {
  const panel = (key: string, label: string): ChartPanel => ({
    title: label, yLabel: key,
    series: [
      { name: `train ${key}`, values: history[key] ?? [] },
      ...(history[`val_${key}`] ? [{ name: `val ${key}`, values: history[`val_${key}`], dashed: true }] : []),
    ],
  });
  const panels = [panel('loss', 'Loss')];
  if (history.acc) panels.push(panel('acc', 'Accuracy'));
  return lineChartsSvg(panels, { title });
}
