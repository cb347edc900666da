import { schemas } from '../../../lambdas/shared/contracts';
import { UnknownStepError } from '../../../lambdas/shared/errors';
import {
  isWorkflowStep,
  registryProblems,
  type StepDeclaration,
  stepNamed,
  stepsOf,
  WORKFLOW_STEP_NAMES,
  WORKFLOW_STEPS,
} from '../../../lambdas/workflow/steps';

describe('the step registry', () => {
  it('declares each step of the design once, the sweep then the remediation', () => {
    // Given the registry
    // When its names are read, by state machine
    // Then they are the twelve steps, none twice; analyze-plan is gone (build-index + analyze-account replace it)
    expect(stepsOf('sweep').map((s) => s.name)).toEqual([
      'start-run',
      'check-cluster',
      'collect-account',
      'build-index',
      'analyze-account',
      'report',
    ]);
    expect(stepsOf('remediation').map((s) => s.name)).toEqual([
      'prepare-plan',
      'request-approval',
      'apply-plan',
      'verify-plan',
      'record-outcome',
      'release-dependents',
    ]);
    expect(new Set(WORKFLOW_STEP_NAMES).size).toBe(WORKFLOW_STEPS.length);
    expect(isWorkflowStep('analyze-plan')).toBe(false);
  });

  it('holds every rule: roles match the member roles they assume, sizes fit Lambda, contracts are the schemas', () => {
    // Given the declarations
    // When checked
    // Then there is no problem, and each contract is the step's schema in lambdas/shared/contracts.ts
    expect(registryProblems()).toEqual([]);
    for (const step of WORKFLOW_STEPS) expect(step.contract).toBe(schemas[step.name]);
  });

  it.each<[string, Partial<StepDeclaration>, RegExp]>([
    ['an own-role step that assumes the scanner', { role: 'own', access: ['assume-scanner'] }, /assume-scanner/],
    ['a reader step that does not assume the scanner', { role: 'reader', access: [] }, /role reader/],
    [
      'a writer step that assumes the scanner',
      { role: 'writer', access: ['assume-scanner', 'assume-remediator'] },
      /assume-scanner/,
    ],
    [
      'an own-role step that assumes the remediator',
      { role: 'own', access: ['assume-remediator'] },
      /assume-remediator/,
    ],
    ['read and write of the same store', { access: ['state-read', 'state-write'] }, /state-write already reads/],
    ['an access entry twice', { access: ['events', 'events'] }, /twice/],
    ['a timeout over 15 minutes', { timeoutSeconds: 901 }, /timeoutSeconds/],
    ['less than 128 MB', { memoryMb: 64 }, /memoryMb/],
    ['a contract that is not its schema', { contract: schemas.report as never }, /contract/],
  ])('finds the problem in %s', (_case, change, problem) => {
    // Given a declaration changed to break one rule
    const base = stepNamed('prepare-plan');
    const broken = { ...base, ...change } as StepDeclaration;

    // When checked
    const problems = registryProblems([broken]);

    // Then the problem is named, with the step
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^prepare-plan: /);
    expect(problems[0]).toMatch(problem);
  });

  it('fails on a name that is not a step, listing the steps', () => {
    // Given names that are not steps (a console handler, a typo, nothing, an inherited property)
    for (const name of ['approval-api', 'start-runn', undefined, 'toString', '']) {
      // When looked up
      // Then a typed error names the value and lists the steps
      expect(() => stepNamed(name)).toThrow(UnknownStepError);
      expect(() => stepNamed(name)).toThrow(/the steps are start-run, check-cluster, .*release-dependents/);
    }
  });
});
