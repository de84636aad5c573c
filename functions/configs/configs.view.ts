import { layerEtag } from './config.domain.ts';
import type { LayerVersion } from './configs.store.ts';

/** A layer version on the wire: the stored version plus its ETag. */
export function layerView(version: LayerVersion) {
  return { ...version, etag: layerEtag(version.version) };
}
