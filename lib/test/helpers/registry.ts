/** The schema registry started by `scripts/stack.sh registry-up` (Apicurio's Confluent-compatible API). */
export const REGISTRY_URL = process.env.TEST_SCHEMA_REGISTRY_URL ?? `http://127.0.0.1:${process.env.REGISTRY_PORT ?? 8085}/apis/ccompat/v7`
