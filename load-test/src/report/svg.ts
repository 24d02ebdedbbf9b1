/**
 * A small, dependency-free SVG chart: panels stacked vertically, each with one or more line
 * series over a shared x axis (seconds). Enough for a load-test timeline.
 */
export interface Series {
  readonly name: string
  readonly color: string
  readonly points: readonly (readonly [number, number])[]
}

export interface Panel {
  readonly title: string
  readonly unit: string
  readonly series: readonly Series[]
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

function fmt(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`
  return `${+v.toFixed(1)}`
}

export function renderChart(title: string, panels: readonly Panel[]): string {
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x)))
  const xMax = Math.max(1, ...xs)
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
    const yMax = niceMax(Math.max(0, ...panel.series.flatMap((s) => s.points.map(([, y]) => y))))
    const x = (v: number) => M.left + (v / xMax) * plotW
    const y = (v: number) => top + M.top + plotH - (v / yMax) * plotH
    parts.push(`<text x="${M.left}" y="${top + 16}" font-weight="bold">${esc(panel.title)} (${esc(panel.unit)})</text>`)
    for (let g = 0; g <= 4; g++) {
      const v = (yMax * g) / 4
      parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`)
      parts.push(`<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${fmt(v)}</text>`)
    }
    for (let g = 0; g <= 6; g++) {
      const v = (xMax * g) / 6
      parts.push(`<text x="${x(v).toFixed(1)}" y="${top + PANEL_H - 8}" text-anchor="middle" fill="#555">${fmt(v)} s</text>`)
    }
    panel.series.forEach((s, j) => {
      if (s.points.length > 0) {
        const d = s.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ')
        parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${d}"/>`)
      }
      parts.push(`<text x="${W - M.right - 4}" y="${top + 16 + j * 13}" text-anchor="end" fill="${s.color}">${esc(s.name)}</text>`)
    })
  })
  parts.push('</svg>')
  return parts.join('\n')
}
