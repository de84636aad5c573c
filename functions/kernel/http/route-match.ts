import type { Contract } from './operation.ts';

/** What matching needs of a route: its method and path template. */
export type RouteShape = Pick<Contract, 'method' | 'path'>;

/**
 * Matches a concrete path against the operations' path templates, the way API Gateway does:
 * literal segments win over `{param}` segments, and a parameter matches one non-empty segment.
 */

export interface RouteMatch<T extends RouteShape = Contract> {
  operation: T;
  pathParameters: Record<string, string>;
}

interface CompiledRoute<T extends RouteShape> {
  operation: T;
  segments: string[];
  literalCount: number;
}

export class RouteTable<T extends RouteShape = Contract> {
  private readonly routes: CompiledRoute<T>[];

  constructor(operations: readonly T[]) {
    this.routes = operations
      .map((operation) => {
        const segments = operation.path.split('/').slice(1);
        return { operation, segments, literalCount: segments.filter((segment) => !segment.startsWith('{')).length };
      })
      .sort((a, b) => b.literalCount - a.literalCount);
  }

  /** The operation for this method and path; `allow` lists the methods the path supports when none matches. */
  match(method: string, path: string): { found: RouteMatch<T> } | { allow: string[] } {
    const segments = path.split('/').slice(1);
    const allow = new Set<string>();
    let found: RouteMatch<T> | undefined;
    for (const route of this.routes) {
      const pathParameters = matchSegments(route.segments, segments);
      if (!pathParameters) continue;
      if (route.operation.method === method && !found) found = { operation: route.operation, pathParameters };
      allow.add(route.operation.method);
    }
    return found ? { found } : { allow: [...allow].sort() };
  }
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of template.entries()) {
    const value = actual[i] as string;
    if (part.startsWith('{')) {
      if (value === '') return undefined;
      try {
        params[part.slice(1, -1)] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (part !== value) {
      return undefined;
    }
  }
  return params;
}
