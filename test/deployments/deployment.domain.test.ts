import { describe, expect, it } from 'vitest';
import {
  currentStepView,
  type Deployment,
  lambdaVersionNumber,
  workflowFailureReason,
} from '../../functions/deployments/deployment.domain.ts';

describe('workflowFailureReason: what a failed step tells a person', () => {
  it('gives the message of a local engine error without its class name', () => {
    // Act
    const reason = workflowFailureReason({ Error: 'TransientError', Cause: 'The router http://127.0.0.1:9/steward answered 500.' });

    // Assess
    expect(reason).toBe('The router http://127.0.0.1:9/steward answered 500.');
  });

  it("reads Step Functions' JSON cause (errorType, errorMessage, trace) and keeps only the message", () => {
    // Act
    const reason = workflowFailureReason({
      Error: 'Error',
      Cause: JSON.stringify({
        errorType: 'Error',
        errorMessage: 'Version 1.6.0 of payments has no artifact of type lambda-version naming a Lambda version',
        trace: ['Error: Version 1.6.0 …', '    at lambdaVersionOf (file:///var/task/index.mjs:1:2)'],
      }),
    });

    // Assess
    expect(reason).toBe('Version 1.6.0 of payments has no artifact of type lambda-version naming a Lambda version.');
  });

  it('strips a class name the message itself starts with', () => {
    expect(workflowFailureReason({ Cause: 'TransientError: The router answered 503.' })).toBe('The router answered 503.');
    expect(workflowFailureReason({ Cause: 'Error: could not connect' })).toBe('could not connect.');
    expect(workflowFailureReason({ Cause: 'ResourceNotFoundException: Function not found: orders' })).toBe('Function not found: orders.');
  });

  it('says a step timed out or failed when there is no message', () => {
    expect(workflowFailureReason({ Error: 'States.Timeout' })).toBe('A step of the deployment timed out.');
    expect(workflowFailureReason({ Error: 'States.TaskFailed', Cause: '' })).toBe('A step of the deployment failed.');
    expect(workflowFailureReason(undefined)).toBe('A step of the deployment failed.');
  });
});

describe('lambdaVersionNumber', () => {
  it('reads a bare number or a qualified ARN, and nothing from other artifacts', () => {
    expect(lambdaVersionNumber({ type: 'lambda-version', uri: '7' })).toBe('7');
    expect(lambdaVersionNumber({ type: 'lambda-version', uri: 'arn:aws:lambda:eu-west-1:123456789012:function:orders:8' })).toBe('8');
    expect(lambdaVersionNumber({ type: 'lambda-version', uri: 'arn:aws:lambda:eu-west-1:123456789012:function:orders' })).toBeUndefined();
    expect(lambdaVersionNumber({ type: 'container-image', uri: 'repo/orders:7' })).toBeUndefined();
    expect(lambdaVersionNumber(null)).toBeUndefined();
  });
});

describe('currentStepView', () => {
  const plan = {
    strategy: 'canary',
    preset: null,
    steps: [
      { percent: 10, bakeSeconds: 300 },
      { percent: 100, bakeSeconds: 0 },
    ],
    keepPreviousSeconds: null,
  } as unknown as Deployment['plan'];

  it('says when the bake under way ends', () => {
    // Act
    const view = currentStepView({
      plan,
      status: 'in_progress',
      currentStep: 0,
      stepStartedAt: '2026-12-04T10:00:00.000Z',
      stepEndsAt: '2026-12-04T10:05:00.000Z',
    });

    // Assess
    expect(view).toEqual({
      index: 0,
      percent: 10,
      bakeSeconds: 300,
      startedAt: '2026-12-04T10:00:00.000Z',
      endsAt: '2026-12-04T10:05:00.000Z',
    });
  });

  it('has no end before the first step or once the deployment has ended', () => {
    expect(currentStepView({ plan, status: 'pending', currentStep: -1 })).toEqual({
      index: -1,
      percent: null,
      bakeSeconds: null,
      startedAt: null,
      endsAt: null,
    });
    expect(
      currentStepView({
        plan,
        status: 'rolled_back',
        currentStep: 0,
        stepStartedAt: '2026-12-04T10:00:00.000Z',
        stepEndsAt: '2026-12-04T10:05:00.000Z',
      }).endsAt,
    ).toBeNull();
  });
});
