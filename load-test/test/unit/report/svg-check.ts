/** A parse-ish check that an SVG is well-formed XML: one root, balanced tags, quoted attributes, no NaN. */
import assert from 'node:assert/strict'

export function assertWellFormedSvg(svg: string): void {
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
  assert.ok(svg.endsWith('</svg>'))
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/)
  const open: string[] = []
  for (const m of svg.matchAll(/<(\/?)([a-z]+)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<>]*")*)\s*(\/?)>|<|>/g)) {
    const [whole, closing, name, , selfClosing] = m
    assert.ok(name !== undefined, `stray ${whole} at ${m.index}: ${svg.slice(Math.max(0, m.index - 40), m.index + 40)}`)
    if (selfClosing === '/') continue
    if (closing === '/') assert.equal(open.pop(), name, `</${name}> at ${m.index}`)
    else open.push(name)
  }
  assert.deepEqual(open, [], 'every tag is closed')
  assert.doesNotMatch(svg.replace(/&(amp|lt|gt|quot);/g, ''), /&/, 'entities escaped')
}
