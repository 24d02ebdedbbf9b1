// Types of scenarios.js (plain JavaScript so that k6 loads it too), for the TypeScript runner.

export type ScenarioName = 'baseline' | 'normal' | 'high' | 'stress' | 'realistic'
export type UserDistribution = 'uniform' | 'zipf'

export interface Stage {
  readonly durationSeconds: number
  /** VUs (closed model) or requests/s (open model) reached at the end of the stage. */
  readonly target: number
}

export interface ScenarioDefinition {
  readonly model: 'closed' | 'open'
  readonly users: UserDistribution
  readonly vus?: number
  readonly rate?: number
  readonly durationSeconds?: number
  readonly stages?: readonly Stage[]
}

export interface ScenarioOverrides {
  readonly durationSeconds?: number
  readonly vus?: number
  readonly rate?: number
  readonly zipfS?: number
}

interface ResolvedBase {
  readonly name: ScenarioName
  readonly users: UserDistribution
  readonly durationSeconds: number
  /** Present when users are drawn by Zipf popularity. */
  readonly zipfS?: number
  readonly stages?: readonly Stage[]
}
export type ResolvedScenario =
  | (ResolvedBase & { readonly model: 'closed'; readonly vus: number })
  | (ResolvedBase & { readonly model: 'open'; readonly rate: number })

export declare const TARGETS: {
  readonly p50Ms: number
  readonly p95Ms: number
  readonly p99Ms: number
  readonly requestsPerSecond: number
  readonly errorRate: number
  readonly hitRate: number
  readonly hitRateAcceptable: number
}
export declare const DEFAULTS: { readonly maxUserId: number; readonly zipfS: number; readonly rate: number }
export declare const SCENARIOS: Readonly<Record<ScenarioName, ScenarioDefinition>>
export declare const SCENARIO_NAMES: readonly ScenarioName[]

export declare function resolveScenario(name: string, overrides?: ScenarioOverrides): ResolvedScenario
export declare function k6Duration(seconds: number): string
export declare function k6Scenario(plan: ResolvedScenario): Record<string, unknown>
export declare function k6Thresholds(): Record<string, string[]>

export declare function createRandom(seed: number, stream?: number): () => number
export declare function createZipf(n: number, s: number, random: () => number): () => number
export declare function createScramble(n: number): (rank: number) => number
export declare function createUserPicker(o: {
  readonly users: number
  readonly firstUserId?: number
  readonly distribution: UserDistribution
  readonly zipfS?: number
  readonly random: () => number
}): () => number

export declare const LEGACY_SALT: string
export declare function signedHeaders(
  userId: number,
  nowMs: number,
  o: { readonly legacy?: boolean; readonly hmacHex: (message: string) => string; readonly base64: (text: string) => string },
): { timestamp: string; user_id: string; sign: string }

export declare function parseCacheCounters(text: string): Record<string, number>
export declare function hitRate(cache: Readonly<Record<string, number>>): number | null
