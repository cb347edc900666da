import { stepHandler } from '../../../lambdas/handlers/registry-handler';
import { InvalidPayloadError, UnknownStepError } from '../../../lambdas/shared/errors';
import type { WorkflowDeps } from '../../../lambdas/workflow/deps';
import { HANDLER_ENV_VAR } from '../../../lambdas/workflow/steps';

/** Just what check-cluster reads: the attempts limit and the estate's cluster status. */
function clusterDeps(status: string) {
  const asked: unknown[] = [];
  const deps = {
    env: { clusterWaitAttempts: 3 },
    estate: {
      clusterStatus: async (cluster: unknown) => {
        asked.push(cluster);
        return status;
      },
    },
  } as unknown as WorkflowDeps;
  return { deps: () => deps, asked };
}

const cluster = { accountId: '111122223333', region: 'eu-west-1', name: 'prod' };

describe('stepHandler (the registry, as a handler)', () => {
  it('runs the named step on a valid payload', async () => {
    // Given check-cluster's handler over deps where the cluster is active
    const { deps, asked } = clusterDeps('ACTIVE');
    const handler = stepHandler('check-cluster', deps);

    // When invoked with a valid payload
    const result = await handler({ cluster, attempt: 0 });

    // Then the step ran: it asked for the cluster and reports it ready
    expect(asked).toEqual([cluster]);
    expect(result).toMatchObject({ attempt: 1, status: 'ACTIVE', ready: true, giveUp: false });
  });

  it("refuses a payload that breaks the step's contract before running it", async () => {
    // Given the same handler
    const { deps, asked } = clusterDeps('ACTIVE');
    const handler = stepHandler('check-cluster', deps);

    // When invoked without the cluster
    // Then it fails with the contract's error, and the step never ran
    await expect(handler({ attempt: 0 })).rejects.toThrow(InvalidPayloadError);
    await expect(handler({ attempt: 0 })).rejects.toThrow(/check-cluster: invalid input/);
    expect(asked).toEqual([]);
  });

  it('fails on a name that is not a step', () => {
    // Given a console handler's name
    // When a step handler is asked for
    // Then the registry refuses it
    expect(() => stepHandler('approval-api')).toThrow(UnknownStepError);
  });
});

describe('workflow-step (the Lambda entry point)', () => {
  const saved = process.env[HANDLER_ENV_VAR];
  afterEach(() => {
    if (saved === undefined) delete process.env[HANDLER_ENV_VAR];
    else process.env[HANDLER_ENV_VAR] = saved;
  });
  const load = () => {
    let mod: { handler?: unknown } = {};
    jest.isolateModules(() => {
      mod = require('../../../lambdas/handlers/workflow-step');
    });
    return mod;
  };

  it.each([
    ['unset', undefined],
    ['a console handler', 'approval-api'],
    ['the retired analyze-plan', 'analyze-plan'],
  ])('fails at cold start when IRSA_DOCTOR_HANDLER is %s, naming the steps', (_case, value) => {
    // Given the variable
    if (value === undefined) delete process.env[HANDLER_ENV_VAR];
    else process.env[HANDLER_ENV_VAR] = value;

    // When the module loads (the function's init)
    // Then it throws the registry's error with the list of steps
    expect(load).toThrow(/no workflow step named .*; the steps are start-run, /);
  });

  it('exports the handler of the step IRSA_DOCTOR_HANDLER names', () => {
    // Given a step's name
    process.env[HANDLER_ENV_VAR] = 'release-dependents';

    // When the module loads
    // Then it exports a handler (deps are built on first invocation, not at load)
    expect(typeof load().handler).toBe('function');
  });
});
