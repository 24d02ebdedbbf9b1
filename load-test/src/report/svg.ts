/**
 * A small, dependency-free SVG chart: panels stacked vertically, each with one or more line
 * series over a shared x axis (seconds). Enough for a load-test timeline.
 */
export interface Series {
  readonly name: string
  readonly color: string
  /** A null y is a gap: the line stops and starts again at the next point. */
  readonly points: readonly (readonly [number, number | null])[]
}

/** A horizontal reference line (e.g. a target), drawn when it falls within the panel's y range. */
export interface Guide {
  readonly value: number
  readonly label: string
  readonly color: string
}

export interface Panel {
  readonly title: string
  readonly unit: string
  readonly series: readonly Series[]
  /** Fixed top of the y axis (default: a round number above the highest point). */
  readonly yMax?: number
  readonly guides?: readonly Guide[]
  /** A shaded x range, e.g. the warm-up. */
  readonly shade?: { readonly from: number; readonly to: number; readonly label: string }
}

const W = 900
const PANEL_H = 170
const M = { left: 70, right: 20, top: 28, bottom: 26 }

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function niceMax(v: number): number {
  if (v <= 0) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  return ([1, 2, 2.5, 5, 10].find((m) => m * p >= v) ?? 10) * p
}

/** Runs of consecutive non-null points. */
function segments(points: Series['points']): (readonly [number, number])[][] {
  const out: (readonly [number, number])[][] = [[]]
  for (const [x, y] of points) {
    if (y === null) out.push([])
    else out.at(-1)?.push([x, y])
  }
  return out.filter((run) => run.length > 0)
}

function fmt(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`
  return `${+v.toFixed(1)}`
}

export function renderChart(title: string, panels: readonly Panel[]): string {
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x)))
  const xMax = Math.max(1, ...xs)
  const xStep = niceMax(xMax / 6) // about six round ticks
  const plotW = W - M.left - M.right
  const height = 40 + panels.length * PANEL_H
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ]
  panels.forEach((panel, i) => {
    const top = 40 + i * PANEL_H
    const plotH = PANEL_H - M.top - M.bottom
    const yMax = panel.yMax ?? niceMax(Math.max(0, ...panel.series.flatMap((s) => s.points.flatMap(([, y]) => y ?? []))))
    const x = (v: number) => M.left + (v / xMax) * plotW
    const y = (v: number) => top + M.top + plotH - (v / yMax) * plotH
    parts.push(`<text x="${M.left}" y="${top + 16}" font-weight="bold">${esc(panel.title)} (${esc(panel.unit)})</text>`)
    let labelX = M.left + 4 // guide labels start right of the shade
    if (panel.shade && panel.shade.to > panel.shade.from) {
      const from = x(Math.max(0, panel.shade.from))
      const to = x(Math.min(xMax, panel.shade.to))
      labelX = to + 4
      parts.push(`<rect x="${from.toFixed(1)}" y="${top + M.top}" width="${(to - from).toFixed(1)}" height="${plotH}" fill="#f2f2f2"/>`)
      parts.push(`<text x="${((from + to) / 2).toFixed(1)}" y="${top + M.top + 12}" text-anchor="middle" fill="#999">${esc(panel.shade.label)}</text>`)
    }
    for (let g = 0; g <= 4; g++) {
      const v = (yMax * g) / 4
      parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`)
      parts.push(`<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${fmt(v)}</text>`)
    }
    for (let g = 0; g * xStep <= xMax * (1 + 1e-9); g++) {
      const v = g * xStep
      parts.push(`<text x="${x(v).toFixed(1)}" y="${top + PANEL_H - 8}" text-anchor="middle" fill="#555">${fmt(v)} s</text>`)
    }
    for (const guide of panel.guides ?? []) {
      if (guide.value < 0 || guide.value > yMax) continue
      const gy = y(guide.value).toFixed(1)
      parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${gy}" y2="${gy}" stroke="${guide.color}" stroke-dasharray="6 4"/>`)
      parts.push(`<text x="${labelX.toFixed(1)}" y="${(Number(gy) - 3).toFixed(1)}" fill="${guide.color}">${esc(guide.label)}</text>`)
    }
    panel.series.forEach((s, j) => {
      for (const run of segments(s.points)) {
        const [only] = run
        if (run.length === 1 && only) {
          parts.push(`<circle cx="${x(only[0]).toFixed(1)}" cy="${y(only[1]).toFixed(1)}" r="2" fill="${s.color}"/>`)
          continue
        }
        const d = run.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ')
        parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${d}"/>`)
      }
      parts.push(`<text x="${W - M.right - 4}" y="${top + 16 + j * 13}" text-anchor="end" fill="${s.color}">${esc(s.name)}</text>`)
    })
  })
  parts.push('</svg>')
  return parts.join('\n')
}
