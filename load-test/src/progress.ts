/**
 * A one-line progress bar with rate and ETA for long commands. On a terminal it redraws one
 * line; elsewhere (CI logs, pipes) it prints a line every few seconds instead.
 */
export interface Progress {
  update(done: number, extra?: string): void
  finish(extra?: string): void
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en')

function eta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.ceil(seconds)}s`
}

export function createProgress(o: { label: string; total: number; unit: string; out?: NodeJS.WriteStream; intervalMs?: number }): Progress {
  const out = o.out ?? process.stderr
  const started = performance.now()
  const interval = o.intervalMs ?? (out.isTTY ? 200 : 5000)
  let last = 0
  const line = (done: number, extra: string | undefined): string => {
    const seconds = (performance.now() - started) / 1000
    const rate = done / Math.max(seconds, 1e-3)
    const share = o.total > 0 ? Math.min(1, done / o.total) : 1
    const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.')
    return `${o.label} [${bar}] ${(share * 100).toFixed(0).padStart(3)}% ${fmt(done)}/${fmt(o.total)} ${o.unit}, ${fmt(rate)} ${o.unit}/s, ` +
      `elapsed ${eta(seconds)}, ETA ${done >= o.total ? '0s' : eta((o.total - done) / rate)}${extra === undefined ? '' : `, ${extra}`}`
  }
  return {
    update(done, extra) {
      const now = performance.now()
      if (now - last < interval) return
      last = now
      out.write(out.isTTY ? `\r${line(done, extra)}\x1b[K` : `${line(done, extra)}\n`)
    },
    finish(extra) {
      out.write(`${out.isTTY ? '\r' : ''}${line(o.total, extra)}${out.isTTY ? '\x1b[K' : ''}\n`)
    },
  }
}
