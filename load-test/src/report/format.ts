/** How the read report writes numbers: one place, so tables and verdicts agree. */

/** 12,345 */
export function int(v: number): string {
  return Math.round(v).toLocaleString('en-US')
}

/** Milliseconds: 0.84, 12.3, 145 (more digits where they matter). */
export function ms(v: number): string {
  if (v >= 100) return int(v)
  return v >= 10 ? `${+v.toFixed(1)}` : `${+v.toFixed(2)}`
}

/** A fraction as a percentage: 0.00012 → "0.012 %", 0.953 → "95.3 %". */
export function pct(fraction: number): string {
  const p = fraction * 100
  if (p === 0 || p >= 10) return `${+p.toFixed(2)} %`
  return `${+p.toPrecision(2)} %`
}

/** 1.5 → "1.5×" */
export function times(v: number): string {
  return `${+v.toFixed(v >= 10 ? 0 : 1)}×`
}
