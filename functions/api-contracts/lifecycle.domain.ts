// A version's lifecycle as HTTP tells it: RFC 9745 `Deprecation`, RFC 8594 `Sunset` and RFC 8288 `Link`
// (rel="deprecation", RFC 9745 §3; rel="successor-version", RFC 5829). Pure: the routes and the
// lifecycleHeaders middleware build their headers here.

export interface VersionLifecycle {
  status: string;
  deprecatedAt: string | null;
  sunsetAt: string | null;
  replacement: string | null;
}

export interface LifecycleHeaders {
  Deprecation?: string;
  Sunset?: string;
  Link?: string;
}

/** RFC 9745 §2.1: a Structured Field Date (RFC 9651 §3.3.7), `@` and whole seconds since the epoch. */
export function deprecationHeader(at: Date): string {
  return `@${Math.floor(at.getTime() / 1000)}`;
}

/** RFC 8594 §3: an HTTP-date (RFC 9110 §5.6.7) in its preferred form, IMF-fixdate: `Sat, 31 Dec 2018 23:59:59 GMT`. */
export function sunsetHeader(at: Date): string {
  return at.toUTCString();
}

/** RFC 8288 §3: `<uri>; rel="..."`, links separated by commas. */
export function linkHeader(links: Array<{ href: string; rel: string; type?: string }>): string {
  return links.map(({ href, rel, type }) => `<${encodeURI(decodeURI(href))}>; rel="${rel}"${type ? `; type="${type}"` : ''}`).join(', ');
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
