/** Puts the read report together and on disk: report.md with its SVGs beside it, and a short text summary. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { readCharts, type Chart } from './read-charts.js'
import { figures, load, overall } from './read-figures.js'
import { renderReadReport } from './read-report.js'
import type { RunScan } from './read-runs.js'

export interface BuiltReport {
  readonly markdown: string
  readonly charts: readonly Chart[]
}

export function buildReadReport(scan: RunScan, generatedAt: Date): BuiltReport {
  const charts = readCharts(scan.latest)
  return { markdown: renderReadReport({ scan, charts, generatedAt }), charts }
}

/** Writes `outFile` and the charts into its folder; returns every path written. */
export function writeReadReport(outFile: string, report: BuiltReport): readonly string[] {
  const dir = dirname(outFile)
  mkdirSync(dir, { recursive: true })
  writeFileSync(outFile, report.markdown)
  const svgs = report.charts.map((c) => {
    const file = join(dir, c.file)
    writeFileSync(file, c.svg)
    return file
  })
  return [outFile, ...svgs]
}

/** A plain-text table for the terminal: one line per scenario, each figure with its grade. */
export function summaryTable(scan: RunScan): string {
  const header = ['scenario', 'load', 'p50', 'p95', 'p99', 'throughput', 'errors', 'hit rate', 'overall']
  const rows = scan.latest.map(({ summary: s }) => [
    s.scenario, load(s), ...figures(s).map((f) => (f.grade === 'pass' ? f.value : `${f.value} ${f.grade.toUpperCase()}`)), overall(s).toUpperCase(),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}
