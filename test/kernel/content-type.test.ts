import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../functions/kernel/errors.ts';
import { requestMediaType } from '../../functions/kernel/http/content-type.ts';
import { problemResponse } from '../../functions/kernel/http/problem.ts';

describe('requestMediaType', () => {
  it('reads the media type without parameters, lowercased', () => {
    expect(requestMediaType('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(requestMediaType('application/yaml')).toBe('application/yaml');
    expect(requestMediaType(undefined)).toBe('');
    expect(requestMediaType('')).toBe('');
  });

  it('refuses two different types (two headers joined by a comma) with a 400 that names both', () => {
    // Act
    const attempt = () => requestMediaType('application/json,application/yaml');

    // Assess
    expect(attempt).toThrowError(
      expect.objectContaining({
        status: 400,
        title: 'Conflicting Content-Type headers',
        message: 'The request has 2 Content-Type headers (application/json, application/yaml); send one.',
      }),
    );
  });

  it('reads the same type sent twice as one, and a comma inside a quoted parameter as part of it', () => {
    expect(requestMediaType('application/json, application/json; charset=utf-8')).toBe('application/json');
    expect(requestMediaType('multipart/form-data; boundary="a,b"')).toBe('multipart/form-data');
  });
});

describe('a 401 problem', () => {
  it('names the Bearer scheme in WWW-Authenticate; other problems do not', () => {
    // Act
    const unauthorized = problemResponse(new UnauthorizedError('Send an API key.'), '/v1/services', 'req-1');
    const other = problemResponse(new Error('boom'), '/v1/services', 'req-2');

    // Assess
    expect(unauthorized.headers?.['www-authenticate']).toMatch(/^Bearer\b/);
    expect(other.headers?.['www-authenticate']).toBeUndefined();
  });
});
