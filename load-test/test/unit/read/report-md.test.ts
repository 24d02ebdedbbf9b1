import assert from 'node:assert/strict'
import { test } from 'node:test'
import { renderReadReport } from '../../../src/read/report-md.js'
import type { ReadSummary } from '../../../src/read/summary.js'

const SUMMARY: ReadSummary = {
  kind: 'load-test-read', version: 1, scenario: 'realistic', model: 'open',
  startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:01:00.000Z',
  params: { users: 10_000_000, durationSeconds: 60, warmupSeconds: 10, rate: 2000, zipfS: 1.1, legacySignatures: false, seed: 7, queryUrl: 'http://127.0.0.1:3002', firstUser: 1, connections: 64 },
  machine: { hostname: 'h', cpuModel: 'AMD EPYC', cpus: 2, memoryGiB: 23.5, node: 'v20.20.2', os: 'Linux 6' },
  totals: {
    requests: 100_000, requestsPerSecond: 2000, statuses: { 200: 99_950, 404: 50 }, errors: 50, errorRate: 0.0005,
    latencyMs: { p50: 2, p90: 20, p95: 120, p99: 150, max: 300, mean: 5 }, cache: { hit: 85, miss: 15, shared: 0, bypass: 0 }, hitRate: 0.85,
  },
  timeline: [{ t: 1, requests: 2000, errors: 0, p50: 2, p95: 9, p99: 12, hitRate: null }, { t: 2, requests: 0, errors: 0, p50: null, p95: null, p99: null, hitRate: null }],
  processes: [{ name: 'query-api', pid: 12, cpuPercent: 80, cpuPercentMax: 95, rssMb: 120, rssMbMax: 130 }],
}

test('report.md: figures against the old targets, processes, per-second table', () => {
  const md = renderReadReport(SUMMARY)
  assert.match(md, /^# load-test:read realistic/)
  assert.match(md, /open model, 2,000 requests\/s offered/)
  assert.match(md, /users 1\.\.10,000,000 by Zipf popularity \(s = 1\.1\)/)
  assert.match(md, /\| p50 \| 2 ms \| < 30 ms ✓ \|/)
  assert.match(md, /\| p95 \| 120 ms \| < 100 ms ✗ missed \|/)
  assert.match(md, /\| errors \| 50 \(0\.050 %\) \| < 0\.1 % ✓ \|/)
  assert.match(md, /\| cache hit rate \| 85\.0 % \| > 90 % \(> 80 %: acceptable\) \|/)
  assert.match(md, /\| query-api \| 12 \| 80 % \| 95 % \| 120 MB \| 130 MB \|/)
  assert.match(md, /\| 1 \| 2,000 \| 0 \| 2 \| 9 \| 12 \| n\/a \|/)
  assert.match(md, /\| 2 \| 0 \| 0 \| – \| – \| – \| n\/a \|/)
  assert.match(md, /64 connections to http:\/\/127\.0\.0\.1:3002/)
})
