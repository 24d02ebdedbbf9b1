/**
 * The catalog a service runs with: `schemas/` alone, or, when a schema registry is
 * configured, with every version registered there and the registry's ids in the wire format.
 */
import { loadCatalog, type Catalog } from './catalog.js'
import { createDecoder, type Decoder } from './codec.js'
import { createSchemaRegistry, versionFromRegistry, withRegistryIds } from './registry.js'

export async function loadServiceCatalog(registryUrl: string | undefined, topic: string): Promise<Catalog> {
  const catalog = loadCatalog()
  return registryUrl === undefined ? catalog : withRegistryIds(catalog, createSchemaRegistry(registryUrl), topic)
}

/** A decoder that also resolves ids it does not know through the registry, if there is one. */
export function createServiceDecoder(catalog: Catalog, registryUrl: string | undefined): Decoder {
  if (registryUrl === undefined) return createDecoder(catalog)
  const registry = createSchemaRegistry(registryUrl)
  return createDecoder(catalog, (id) => versionFromRegistry(catalog, registry, id))
}
