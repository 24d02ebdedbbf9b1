/** Shim of `k6/metrics`: every add() becomes a sample in k6State. */
import { k6State } from './state.js'

class Metric {
  constructor(readonly name: string) {}
  add(value: number | boolean): void {
    k6State.samples.push({ metric: this.name, value: Number(value) })
  }
}

export class Counter extends Metric {}
export class Gauge extends Metric {}
export class Rate extends Metric {}
export class Trend extends Metric {}
