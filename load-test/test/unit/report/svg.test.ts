import assert from 'node:assert/strict'
import { test } from 'node:test'
import { renderChart } from '../../../src/report/svg.js'
import { assertWellFormedSvg } from './svg-check.js'

test('a null y breaks the line; a lone point is a dot', () => {
  const svg = renderChart('gaps', [{ title: 'Hit rate', unit: '%', series: [{ name: 'hit', color: '#000', points: [[0, 50], [1, 60], [2, null], [3, 70], [4, 80], [5, null], [6, 90]] }] }])
  assertWellFormedSvg(svg)
  assert.equal(svg.match(/<polyline/g)?.length, 2)
  assert.equal(svg.match(/<circle/g)?.length, 1)
})

test('guides are drawn inside the y range only, a fixed yMax is kept, the shade is a rect with its label', () => {
  const svg = renderChart('guides & shade', [{
    title: 'Latency', unit: 'ms', yMax: 100,
    series: [{ name: 'p95', color: '#f00', points: [[0, 5], [10, 7]] }],
    guides: [{ value: 30, label: 'p50 target', color: '#0a0' }, { value: 200, label: 'p99 target', color: '#a00' }],
    shade: { from: 0, to: 2, label: 'warm-up' },
  }])
  assertWellFormedSvg(svg)
  assert.match(svg, /stroke-dasharray="6 4"/)
  assert.match(svg, />p50 target</)
  assert.doesNotMatch(svg, /p99 target/, 'off scale: not drawn')
  assert.match(svg, />100</, 'the y axis tops at yMax')
  assert.match(svg, /<rect x="70\.0" y="68" width="162\.0" height="116" fill="#f2f2f2"\/>/)
  assert.match(svg, />warm-up</)
})

test('an empty panel still renders', () => {
  assertWellFormedSvg(renderChart('empty', [{ title: 'Nothing', unit: 'x', series: [] }]))
})
