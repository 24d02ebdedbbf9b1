import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parsePlan } from '../../../src/parallel/args.js'
import { renderMarkdown, type RunSummary } from '../../../src/report/markdown.js'
import { renderChart } from '../../../src/report/svg.js'

const counts = { offered: 100, accepted: 98, throttled: 3, failed: 2, rejected: 0, skipped: 0 }
const summary: RunSummary = {
  runId: 'r1', plan: parsePlan(['2', '3000', '1', '--run-id', 'r1'], {}), startedAt: '2026-01-01T00:00:00.000Z',
  durationSeconds: 1, totals: counts, acceptedPerSecond: 98, latencyMs: { p50: 3, p90: 5, p99: 9, p999: 12, max: 20 },
  drainMs: 150,
  clients: [{ index: 1, service: 'parallel-load-test-1', acked: 98, unacked: 2, lost: 0, duplicated: 0, unackedPresent: 1, counts }],
  verification: { lost: 0, duplicated: 0, unackedPresent: 1, ok: true },
  timeline: [{ second: 0, ...counts, p50: 3, p99: 9, lag: 10 }],
}

test('the report says PASS/FAIL, the totals, the per-client table and the old SQL', () => {
  const md = renderMarkdown(summary)
  assert.match(md, /\*\*PASS\*\*: 98 events acknowledged, 0 lost, 0 duplicated; drained 150 ms/)
  assert.match(md, /\| 1 \| parallel-load-test-1 \| 100 \| 98 \| 3 \| 2 \| 0 \| 0 \| 1 \|/)
  assert.match(md, /SELECT service, COUNT\(\*\) FROM events WHERE service LIKE 'parallel-load-test-%' GROUP BY service;/)
  const failed = renderMarkdown({ ...summary, drainMs: null, verification: { ...summary.verification, lost: 4, ok: false } })
  assert.match(failed, /\*\*FAIL\*\*: 98 events acknowledged, 4 lost, 0 duplicated; drained NOT within the timeout/)
})

test('the chart is an SVG with one polyline per series and escaped text', () => {
  const svg = renderChart('run <1> & co', [
    { title: 'Rate', unit: 'events/s', series: [{ name: 'a', color: '#000', points: [[0, 1], [1, 5000]] }, { name: 'b', color: '#f00', points: [[0, 0], [1, 1]] }] },
    { title: 'Lag', unit: 'records', series: [{ name: 'lag', color: '#00f', points: [] }] },
  ])
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  assert.ok(svg.endsWith('</svg>'))
  assert.equal(svg.match(/<polyline/g)?.length, 2)
  assert.match(svg, /run &lt;1&gt; &amp; co/)
  assert.match(svg, />5k</, 'axis labels are readable')
})
