/**
 * What user-recap-projector (writer) and query-api (reader) agree on about the cached read
 * model. Each user's cache entry has a generation counter beside it: the projector bumps it
 * after every commit that touches the user, and a reader stores what it read from MySQL only
 * if the generation is still the one it saw before reading, so a read that raced a commit
 * can never put the older row back into the cache.
 */
export const userDataKey = (userId: number): string => `user-data:${userId}`
export const userGenerationKey = (userId: number): string => `user-data-gen:${userId}`

/** Generation counters outlive any read in flight, and then expire (users are unbounded). */
export const GENERATION_TTL_SECONDS = 24 * 60 * 60
