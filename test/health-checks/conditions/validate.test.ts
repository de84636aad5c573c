import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/kernel/errors.ts';
import { assertValidConditions, validateConditions } from '../../../functions/health-checks/conditions/index.ts';

describe('validateConditions', () => {
  it('finds nothing wrong with valid conditions', () => {
    expect(
      validateConditions([
        '[STATUS] == 200',
        '[STATUS] == any(200, 429)',
        '[BODY].status == UP',
        'len([BODY].items) > 0',
        'has([BODY].errors) == false',
        '[BODY] == pat(*ok*)',
        '[RESPONSE_TIME] < 500',
        '[RESPONSE_TIME] < 1s',
        '[CERTIFICATE_EXPIRATION] > 48h',
        '[BODY].a != [BODY].b',
        '[CONNECTED] == true',
      ]),
    ).toEqual([]);
    expect(validateConditions([])).toEqual([]);
  });

  it('points at each invalid condition by its index, with the column in the message', () => {
    expect(validateConditions(['[STATUS] == 200', '[STATUS]==200', '[BODY].status == UP', '[FOO] == 1', 'len([BODY].items) > x'])).toEqual([
      { pointer: '/body/conditions/1', message: 'expected an operator (==, !=, <, <=, >, >=) with spaces around it at column 9' },
      {
        pointer: '/body/conditions/3',
        message: 'unknown placeholder [FOO]; use [STATUS], [RESPONSE_TIME], [BODY], [CERTIFICATE_EXPIRATION], [CONNECTED] at column 1',
      },
      { pointer: '/body/conditions/4', message: 'expected a number for len([BODY].items), not "x" at column 21' },
    ]);
  });

  it('refuses what is not a string, and what is not a list', () => {
    expect(validateConditions(['[STATUS] == 200', 200, null, { condition: 'x' }])).toEqual([
      { pointer: '/body/conditions/1', message: 'a condition is a string such as "[STATUS] == 200"' },
      { pointer: '/body/conditions/2', message: 'a condition is a string such as "[STATUS] == 200"' },
      { pointer: '/body/conditions/3', message: 'a condition is a string such as "[STATUS] == 200"' },
    ]);
    expect(validateConditions('[STATUS] == 200')).toEqual([
      { pointer: '/body/conditions', message: 'conditions is a list of conditions such as "[STATUS] == 200"' },
    ]);
  });

  it('uses the pointer it is given (a PATCH body, a nested document)', () => {
    expect(validateConditions(['', '[STATUS] == 200'], '/body/checks/0/conditions')).toEqual([
      { pointer: '/body/checks/0/conditions/0', message: 'a condition must not be empty; write one such as [STATUS] == 200 at column 1' },
    ]);
  });
});

describe('assertValidConditions', () => {
  it('passes valid conditions', () => {
    expect(() => assertValidConditions(['[STATUS] == 200'])).not.toThrow();
  });

  it('throws a 400 ValidationError listing every invalid condition', () => {
    let thrown: unknown;
    try {
      assertValidConditions(['[STATUS] == 200', '[STATUS] ==200', '[BODY] == pat()']);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    const error = thrown as ValidationError;
    expect(error.status).toBe(400);
    expect(error.detail).toBe('2 health check conditions are not valid');
    expect(error.errors).toEqual([
      { pointer: '/body/conditions/1', message: 'expected a space after the operator == at column 12' },
      { pointer: '/body/conditions/2', message: 'pat() needs a pattern, such as pat(*ok*) at column 15' },
    ]);
  });

  it('says so in the singular for one', () => {
    expect(() => assertValidConditions(['[STATUS] = 200'])).toThrow('a health check condition is not valid');
  });
});
