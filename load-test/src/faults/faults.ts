/**
 * The faults, and how a run draws them: every kind once per deck, the deck shuffled with the
 * run's seed, so a short run still meets each kind and a seed replays the same sequence.
 */
import { APPS, SERVERS, type App, type Server } from './stack.js'

export type Target = App | Server

export type Fault =
  | { readonly kind: 'kill'; readonly target: Target }
  | { readonly kind: 'stall'; readonly target: Target; readonly ms: number }
  | { readonly kind: 'group-change' }
  | { readonly kind: 'partition'; readonly ms: number }
  | { readonly kind: 'disk-full'; readonly ms: number }

export const faultName = (f: Fault): string =>
  f.kind === 'kill' || f.kind === 'stall' ? `${f.kind} ${f.target}`
    : f.kind === 'partition' ? 'sink cut off from postgres' : f.kind === 'disk-full' ? 'postgres disk full' : 'group change'

export interface DeckOptions {
  readonly random: () => number
  /** A stall lasts between these (ms). */
  readonly stallMs: readonly [number, number]
  /** The partition outlasts the sink's session timeout by this much. */
  readonly partitionMs: number
  /** How long Postgres' disk stays full; absent: that fault is not in the deck (no disk of its own to fill). */
  readonly diskFullMs?: number
}

/** An endless sequence of faults: each kind once per deck, in a shuffled order. */
export function* faultDeck(o: DeckOptions): Generator<Fault> {
  const targets: Target[] = [...APPS, ...SERVERS]
  const stall = () => Math.round(o.stallMs[0] + o.random() * (o.stallMs[1] - o.stallMs[0]))
  for (;;) {
    const deck: Array<() => Fault> = [
      ...targets.map((target) => () => ({ kind: 'kill', target }) as const),
      ...targets.map((target) => () => ({ kind: 'stall', target, ms: stall() }) as const),
      () => ({ kind: 'group-change' }),
      () => ({ kind: 'partition', ms: o.partitionMs }),
      ...(o.diskFullMs === undefined ? [] : [() => ({ kind: 'disk-full', ms: o.diskFullMs as number }) as const]),
    ]
    for (let i = deck.length - 1; i > 0; i--) {
      const j = Math.floor(o.random() * (i + 1))
      ;[deck[i], deck[j]] = [deck[j] as () => Fault, deck[i] as () => Fault]
    }
    for (const make of deck) yield make()
  }
}
