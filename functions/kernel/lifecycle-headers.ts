/**
 * The HTTP headers of a deprecated resource, as the RFCs spell them: RFC 9745 `Deprecation`,
 * RFC 8594 `Sunset` and RFC 8288 `Link`. Pure: a managed version's lifecycle
 * (api-contracts/lifecycle.domain.ts) and Steward's own deprecated routes
 * (http/middleware/deprecated-route.ts) are written with them.
 */

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
