// A version's lifecycle as HTTP tells it: RFC 9745 `Deprecation`, RFC 8594 `Sunset` and RFC 8288 `Link`
// (rel="deprecation", RFC 9745 §3; rel="successor-version", RFC 5829). Pure: the lifecycle route builds
// its headers here (what the lifecycleHeaders middleware then sets), with the kernel's writers of each header.

import { type LifecycleHeaders, linkHeader, deprecationHeader, sunsetHeader } from '#kernel/lifecycle-headers';

export { deprecationHeader, type LifecycleHeaders, linkHeader, sunsetHeader };

export interface VersionLifecycle {
  status: string;
  deprecatedAt: string | null;
  sunsetAt: string | null;
  replacement: string | null;
}

/**
 * The headers a response of `version` carries: none while it is neither deprecated nor given a
 * sunset; `Deprecation` once deprecated (a retired version was deprecated first), `Sunset` when a
 * sunset is set, and links to where the deprecation is described and to the version to move to.
 */
export function lifecycleHeaders(
  lifecycle: VersionLifecycle,
  links: { deprecation: string; successor: (version: string) => string },
): LifecycleHeaders {
  const headers: LifecycleHeaders = {};
  if (lifecycle.deprecatedAt) headers.Deprecation = deprecationHeader(new Date(lifecycle.deprecatedAt));
  if (lifecycle.sunsetAt) headers.Sunset = sunsetHeader(new Date(lifecycle.sunsetAt));
  const linkList: Array<{ href: string; rel: string; type?: string }> = [];
  if (lifecycle.deprecatedAt) linkList.push({ href: links.deprecation, rel: 'deprecation', type: 'application/json' });
  if (lifecycle.replacement) linkList.push({ href: links.successor(lifecycle.replacement), rel: 'successor-version' });
  if (linkList.length > 0) headers.Link = linkHeader(linkList);
  return headers;
}
