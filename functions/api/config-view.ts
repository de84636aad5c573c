import { layerEtag } from '#domain/config';
import type { LayerVersion } from '#store/configs';

/** A layer version on the wire: the stored version plus its ETag. */
export function layerView(version: LayerVersion) {
  return { ...version, etag: layerEtag(version.version) };
}
