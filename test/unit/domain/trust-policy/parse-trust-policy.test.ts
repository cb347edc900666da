import fc from 'fast-check';
import type {
  ConditionOperator,
  Quirk,
  ReadFailure,
  ReadFailureKind,
  ReadSuccess,
  Statement,
} from '../../../../lambdas/domain/trust-policy/model';
import {
  invalidCharacterSample,
  invalidCharacterSampleInJson,
  MAX_DEPTH,
  MAX_POLICY_TEXT,
  parseTrustPolicy,
  quickScan,
  scanJson,
} from '../../../../lambdas/domain/trust-policy/parse-trust-policy';
import { nested, rfc3986 } from '../../../support/arbitraries';
import { ACTION, AUD_KEY, ISSUER, OTHER_ISSUER, OTHER_PROVIDER, PROVIDER, SUB_KEY } from '../../../support/issuers';

const SUB = 'system:serviceaccount:kube-system:aws-load-balancer-controller';
const OTHER_SUB = 'system:serviceaccount:default:app';

type Doc = Record<string, unknown>;

/** The reference IRSA statement; `overrides` replace elements, and an `undefined` override removes one. */
function statement(overrides: Doc = {}): Doc {
  const base: Doc = {
    Effect: 'Allow',
    Principal: { Federated: PROVIDER },
    Action: ACTION,
    Condition: { StringEquals: { [SUB_KEY]: SUB, [AUD_KEY]: 'sts.amazonaws.com' } },
  };
  const out: Doc = { ...base, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete out[key];
  return out;
}

function policy(...statements: Doc[]): Doc {
  return { Version: '2012-10-17', Statement: statements };
}

/** A policy with one statement whose Condition is `{ [operator]: { [key]: value } }`. */
function conditionPolicy(value: unknown, operator = 'StringEquals', key = SUB_KEY): Doc {
  return policy(statement({ Condition: { [operator]: { [key]: value } } }));
}

const IRSA_POLICY = policy(statement());
const PRETTY = JSON.stringify(IRSA_POLICY, null, 2);

function readOk(input: unknown): ReadSuccess {
  const result = parseTrustPolicy(input);
  if (!result.ok) throw new Error(`expected a successful read, got ${result.kind}: ${result.message}`);
  return result;
}

function readFailure(input: unknown): ReadFailure {
  const result = parseTrustPolicy(input);
  if (result.ok) throw new Error(`expected a failure, read ${JSON.stringify(result.policy.document).slice(0, 200)}`);
  return result;
}

function firstStatement(result: ReadSuccess): Statement {
  const [first] = result.policy.statements;
  if (!first) throw new Error('expected at least one statement');
  return first;
}

const quirksOfKind = <K extends Quirk['kind']>(result: ReadSuccess, kind: K) =>
  result.quirks.filter((q): q is Extract<Quirk, { kind: K }> => q.kind === kind);

/** The message JSON.parse gives for `text` (it differs between Node versions, so it is computed, not written). */
function syntaxErrorOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${text} is valid JSON`);
}

describe('parseTrustPolicy: input forms', () => {
  it.each<[string, string, number | undefined]>([
    ['raw JSON text', PRETTY, undefined],
    ['compact JSON text', JSON.stringify(IRSA_POLICY), undefined],
    ['JSON text with surrounding whitespace', `\n\t  ${PRETTY}  \r\n`, undefined],
    ['URL-encoded text (RFC 3986, as IAM returns it)', rfc3986(PRETTY), 1],
    [
      'URL-encoded text with lower-case hex digits',
      rfc3986(PRETTY).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
      1,
    ],
    ['double-encoded text', rfc3986(rfc3986(PRETTY)), 2],
  ])('reads %s', (_form, input, times) => {
    // Given the reference IRSA policy in that form
    // When it is read
    const result = readOk(input);
    // Then it is the same document, and only the URL-encoding (if any) is noted, with how many times it was decoded
    expect(result.policy.document).toEqual(IRSA_POLICY);
    expect(result.policy.version).toBe('2012-10-17');
    expect(firstStatement(result).conditions.map((c) => [c.key, c.values])).toEqual([
      [SUB_KEY, [SUB]],
      [AUD_KEY, ['sts.amazonaws.com']],
    ]);
    expect(result.quirks).toEqual(times === undefined ? [] : [{ kind: 'url-encoded', times }]);
  });

  it("decodes the characters RFC 3986 escapes but encodeURIComponent does not: ! ' ( ) *", () => {
    // Given a policy with a StringLike wildcard and a Sid holding ! ' ( ), encoded the way IAM encodes it
    const doc = policy(
      statement({ Sid: "team's(prod)!", Condition: { StringLike: { [SUB_KEY]: 'system:serviceaccount:team-a:*' } } }),
    );
    const encoded = rfc3986(JSON.stringify(doc));
    expect(encoded).not.toMatch(/[!'()*]/);
    // When it is read
    const result = readOk(encoded);
    // Then the escaped characters come back
    expect(firstStatement(result).sid).toBe("team's(prod)!");
    expect(firstStatement(result).conditions[0]?.values).toEqual(['system:serviceaccount:team-a:*']);
    expect(result.quirks).toEqual([{ kind: 'url-encoded', times: 1 }]);
  });

  it('reads an already-parsed object exactly like its JSON text', () => {
    // Given the policy as an object and as text
    // When both are read
    const fromObject = readOk(IRSA_POLICY);
    const fromText = readOk(JSON.stringify(IRSA_POLICY));
    // Then statements, quirks and measurements agree
    expect(fromObject.policy).toEqual(fromText.policy);
    expect(fromObject.quirks).toEqual([]);
    expect(fromObject.decodedText).toBe(JSON.stringify(IRSA_POLICY));
    expect(fromObject.minifiedLength).toBe(fromText.minifiedLength);
  });

  it('does not modify the object it is given', () => {
    // Given a policy object with quirks of every kind the reader normalizes
    const doc = policy(
      statement({ Effect: 'allow', Action: ['a', ' b'], Condition: { stringequals: { [SUB_KEY]: 1 } } }),
    );
    const before = JSON.stringify(doc);
    // When it is read
    readOk(doc);
    // Then the object is unchanged
    expect(JSON.stringify(doc)).toBe(before);
  });
});

describe('parseTrustPolicy: Statement as object or array', () => {
  it.each<[string, unknown, string, Quirk[]]>([
    ['an array', [statement({ Resource: '*' })], '$.Statement[0]', []],
    [
      'a single object (quirk statement-is-object)',
      statement({ Resource: '*' }),
      '$.Statement',
      [{ kind: 'statement-is-object' }],
    ],
  ])('reads Statement given as %s', (_shape, value, path, shapeQuirks) => {
    // Given a one-statement policy whose statement carries a Resource element (so its path shows in a quirk)
    // When it is read
    const result = readOk({ Version: '2012-10-17', Statement: value });
    // Then there is one statement, index 0, and the quirks name it by the path its shape gives it
    expect(result.policy.statements).toHaveLength(1);
    expect(firstStatement(result).index).toBe(0);
    expect(firstStatement(result).actions).toEqual([ACTION]);
    expect(result.quirks).toEqual([...shapeQuirks, { kind: 'prohibited-element', path, name: 'Resource' }]);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'Allow'],
    ['a number', 42],
    ['a boolean', true],
  ])('records Statement as %s as an invalid value and reads no statement', (_label, value) => {
    // Given a policy whose Statement is neither array nor object
    // When it is read
    const result = readOk({ Version: '2012-10-17', Statement: value });
    // Then no statement is read and the value is kept as evidence
    expect(result.policy.statements).toEqual([]);
    expect(result.quirks).toEqual([
      { kind: 'invalid-value', path: '$.Statement', expected: 'an array or object', value },
    ]);
  });

  it('keeps the place of array items that are not statements', () => {
    // Given a Statement array holding a statement, null and a string
    // When it is read
    const result = readOk({ Version: '2012-10-17', Statement: [statement(), null, 'x'] });
    // Then every item keeps its index, and the odd ones are invalid values with no effect
    expect(result.policy.statements.map((s) => [s.index, s.effect])).toEqual([
      [0, 'Allow'],
      [1, undefined],
      [2, undefined],
    ]);
    expect(result.quirks).toEqual([
      { kind: 'invalid-value', path: '$.Statement[1]', expected: 'an object', value: null },
      { kind: 'invalid-value', path: '$.Statement[2]', expected: 'an object', value: 'x' },
    ]);
  });
});

describe('parseTrustPolicy: values given as a string or an array', () => {
  it.each<[string, Doc, (s: Statement) => unknown, unknown]>([
    ['Action as a string', { Action: ACTION }, (s) => s.actions, [ACTION]],
    ['Action as an array', { Action: [ACTION, 'sts:TagSession'] }, (s) => s.actions, [ACTION, 'sts:TagSession']],
    [
      'NotAction as a string',
      { Action: undefined, NotAction: 'sts:AssumeRole' },
      (s) => s.notActions,
      ['sts:AssumeRole'],
    ],
    ['Federated as a string', {}, (s) => s.principal?.byType.Federated, [PROVIDER]],
    [
      'Federated as an array',
      { Principal: { Federated: [PROVIDER, OTHER_PROVIDER] } },
      (s) => s.principal?.byType.Federated,
      [PROVIDER, OTHER_PROVIDER],
    ],
    [
      'several principal types',
      { Principal: { Service: ['ec2.amazonaws.com'], AWS: '111111111111' } },
      (s) => s.principal?.byType,
      { Service: ['ec2.amazonaws.com'], AWS: ['111111111111'] },
    ],
    [
      'NotPrincipal',
      { Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' } },
      (s) => [s.principal, s.notPrincipal?.byType.AWS],
      [undefined, ['arn:aws:iam::111111111111:root']],
    ],
    ['Principal "*"', { Principal: '*' }, (s) => s.principal, { wildcard: true, byType: {} }],
    [
      'a condition value as a string',
      { Condition: { StringEquals: { [SUB_KEY]: SUB } } },
      (s) => s.conditions.map((c) => c.values),
      [[SUB]],
    ],
    [
      'condition values as an array',
      { Condition: { StringEquals: { [SUB_KEY]: [SUB, OTHER_SUB] } } },
      (s) => s.conditions.map((c) => c.values),
      [[SUB, OTHER_SUB]],
    ],
  ])('reads %s as a list', (_label, overrides, select, expected) => {
    // Given a statement with that element
    // When the policy is read
    const result = readOk(policy(statement(overrides)));
    // Then the element is normalized to a list, and nothing is remarked on
    expect(select(firstStatement(result))).toEqual(expected);
    expect(result.quirks).toEqual([]);
  });

  it('keeps a principal type named "__proto__" as a type of its own', () => {
    // Given a principal block with a "__proto__" key (JSON.parse keeps it as an ordinary key)
    const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"__proto__":["x","y"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`;
    // When it is read
    const byType = firstStatement(readOk(text)).principal?.byType ?? {};
    // Then both types are listed, and the values of "__proto__" do not leak in as types "0" and "1"
    const types: string[] = [];
    for (const type in byType) types.push(type);
    expect(types).toEqual(['__proto__', 'Service']);
    expect(Object.getOwnPropertyDescriptor(byType, '__proto__')?.value).toEqual(['x', 'y']);
  });

  it('keeps each condition entry with its operator, key as written and lower-cased key', () => {
    // Given a condition key written in mixed case
    const key = `${ISSUER}:Sub`;
    // When it is read
    const [entry] = firstStatement(readOk(conditionPolicy(SUB, 'StringLike', key))).conditions;
    // Then both spellings are kept
    expect(entry).toEqual({
      operatorText: 'StringLike',
      operator: { base: 'StringLike', ifExists: false },
      key,
      keyLower: key.toLowerCase(),
      values: [SUB],
    });
  });
});

describe('parseTrustPolicy: duplicate keys', () => {
  const s0 = (condition: string) =>
    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PROVIDER}"},"Action":"${ACTION}","Condition":${condition}}]}`;

  it.each<[string, string, Quirk[]]>([
    [
      'two StringEquals blocks in one Condition',
      s0(`{"StringEquals":{"${SUB_KEY}":"${SUB}"},"StringEquals":{"${AUD_KEY}":"sts.amazonaws.com"}}`),
      [
        {
          kind: 'duplicate-key',
          path: '$.Statement[0].Condition',
          key: 'StringEquals',
          values: [{ [SUB_KEY]: SUB }, { [AUD_KEY]: 'sts.amazonaws.com' }],
        },
      ],
    ],
    [
      'the same condition key twice',
      s0(`{"StringEquals":{"${SUB_KEY}":"${SUB}","${SUB_KEY}":"${OTHER_SUB}"}}`),
      [
        {
          kind: 'duplicate-key',
          path: '$.Statement[0].Condition.StringEquals',
          key: SUB_KEY,
          values: [SUB, OTHER_SUB],
        },
      ],
    ],
    [
      'the same condition key three times, with values of different types',
      s0(`{"StringLike":{"${SUB_KEY}":"${SUB}","${SUB_KEY}":["a","b"],"${SUB_KEY}":1}}`),
      [
        {
          kind: 'duplicate-key',
          path: '$.Statement[0].Condition.StringLike',
          key: SUB_KEY,
          values: [SUB, ['a', 'b'], 1],
        },
      ],
    ],
    [
      'Statement twice at the top level',
      `{"Version":"2012-10-17","Statement":[{"Effect":"Deny"}],"Statement":[]}`,
      [{ kind: 'duplicate-key', path: '$', key: 'Statement', values: [[{ Effect: 'Deny' }], []] }],
    ],
    [
      'Effect twice in the second statement',
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow"},{"Effect":"Deny","Effect":"Allow"}]}`,
      [{ kind: 'duplicate-key', path: '$.Statement[1]', key: 'Effect', values: ['Deny', 'Allow'] }],
    ],
    [
      'repeats in two different objects',
      `{"Version":"2012-10-17","Version":"2008-10-17","Statement":{"Sid":"a","Sid":"b"}}`,
      [
        { kind: 'duplicate-key', path: '$', key: 'Version', values: ['2012-10-17', '2008-10-17'] },
        { kind: 'duplicate-key', path: '$.Statement', key: 'Sid', values: ['a', 'b'] },
      ],
    ],
  ])('reports %s with its path, key and every value', (_label, text, expected) => {
    // Given policy text in which an object repeats a key
    // When it is read
    const result = readOk(text);
    // Then each repeat is reported once, with where it is and all the values written for it
    const byPath = (a: Quirk, b: Quirk) => ('path' in a ? a.path : '').localeCompare('path' in b ? b.path : '');
    expect(quirksOfKind(result, 'duplicate-key').sort(byPath)).toEqual([...expected].sort(byPath));
  });

  it('reports every value of a key repeated 50,000 times', () => {
    // Given a generated document gone wrong: one key written 50,000 times
    const count = 50_000;
    const text = `{"Version":"2012-10-17","Statement":[],"Id":{${Array.from({ length: count }, (_v, i) => `"n":${i}`).join(',')}}}`;
    // When it is read
    const [quirk] = quirksOfKind(readOk(text), 'duplicate-key');
    // Then one quirk lists all the values, in order
    expect(quirk?.path).toBe('$.Id');
    expect(quirk?.values).toHaveLength(count);
    expect(quirk?.values.at(-1)).toBe(count - 1);
  });

  it('keeps the last of repeated keys in the document, as JSON parsers do', () => {
    // Given the two-StringEquals-blocks mistake
    const text = s0(`{"StringEquals":{"${SUB_KEY}":"${SUB}"},"StringEquals":{"${AUD_KEY}":"sts.amazonaws.com"}}`);
    // When it is read
    const result = readOk(text);
    // Then only the second block is in effect: the :sub condition is silently gone
    expect(firstStatement(result).conditions.map((c) => c.key)).toEqual([AUD_KEY]);
    expect(result.policy.document).toEqual(JSON.parse(text));
  });

  it('finds duplicate keys in URL-encoded text too', () => {
    // Given the same mistake as IAM returns it
    const text = rfc3986(s0(`{"StringEquals":{"${SUB_KEY}":"a","${SUB_KEY}":"b"}}`));
    // When it is read
    const result = readOk(text);
    // Then the repeat is found after decoding
    expect(result.quirks).toEqual([
      { kind: 'url-encoded', times: 1 },
      { kind: 'duplicate-key', path: '$.Statement[0].Condition.StringEquals', key: SUB_KEY, values: ['a', 'b'] },
    ]);
  });

  it.each<[string, string]>([
    [
      'the same operator in two statements',
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Condition":{"StringEquals":{"k":"a"}}},{"Effect":"Allow","Condition":{"StringEquals":{"k":"b"}}}]}`,
    ],
    ['the same key under two operators', s0(`{"StringEquals":{"${SUB_KEY}":"a"},"StringLike":{"${SUB_KEY}":"b"}}`)],
    ['keys that differ only in letter case', s0(`{"StringEquals":{"${SUB_KEY}":"a","${ISSUER}:SUB":"b"}}`)],
    ['a repeated key name inside a string value', s0(`{"StringEquals":{"${SUB_KEY}":"\\"${SUB_KEY}\\":\\"x\\""}}`)],
    ['the same value twice in an array', s0(`{"StringEquals":{"${SUB_KEY}":["${SUB}","${SUB}"]}}`)],
    ['pretty-printed text without repeats', PRETTY],
  ])('does not report %s as a duplicate', (_label, text) => {
    // Given text in which no single object repeats a key
    // When it is read
    const result = readOk(text);
    // Then no duplicate-key quirk is raised
    expect(quirksOfKind(result, 'duplicate-key')).toEqual([]);
    expect(result.policy.document).toEqual(JSON.parse(text));
  });
});

describe('parseTrustPolicy: whitespace is kept as evidence', () => {
  const conditionPath = `$.Statement[0].Condition.StringEquals.${SUB_KEY}`;
  it.each<[string, Doc, string, string, (s: Statement) => unknown]>([
    [
      'a space after system:serviceaccount:',
      conditionPolicy('system:serviceaccount: kube-system:app'),
      conditionPath,
      'system:serviceaccount: kube-system:app',
      (s) => s.conditions[0]?.values,
    ],
    [
      'a leading space in a :sub value',
      conditionPolicy(` ${SUB}`),
      conditionPath,
      ` ${SUB}`,
      (s) => s.conditions[0]?.values,
    ],
    [
      'a trailing newline in a :sub value',
      conditionPolicy(`${SUB}\n`),
      conditionPath,
      `${SUB}\n`,
      (s) => s.conditions[0]?.values,
    ],
    [
      'a tab inside one value of an array',
      conditionPolicy([OTHER_SUB, 'system:serviceaccount:default:\tapp']),
      conditionPath,
      'system:serviceaccount:default:\tapp',
      (s) => s.conditions[0]?.values[1],
    ],
    [
      'a trailing space in a condition key',
      conditionPolicy(SUB, 'StringEquals', `${SUB_KEY} `),
      '$.Statement[0].Condition.StringEquals',
      `${SUB_KEY} `,
      (s) => s.conditions[0]?.key,
    ],
    [
      'a trailing space in the Action',
      policy(statement({ Action: `${ACTION} ` })),
      '$.Statement[0].Action',
      `${ACTION} `,
      (s) => s.actions,
    ],
    [
      'a leading space in the Federated principal',
      policy(statement({ Principal: { Federated: ` ${PROVIDER}` } })),
      '$.Statement[0].Principal.Federated',
      ` ${PROVIDER}`,
      (s) => s.principal?.byType.Federated,
    ],
  ])('records %s with its path, and keeps the value as written', (_label, doc, path, value, select) => {
    // Given a policy with stray whitespace
    // When it is read
    const result = readOk(doc);
    // Then the whitespace is reported where it is, and nothing is trimmed away
    expect(quirksOfKind(result, 'whitespace')).toEqual([{ kind: 'whitespace', path, value }]);
    expect(JSON.stringify(select(firstStatement(result)))).toContain(JSON.stringify(value).slice(1, -1));
  });
});

describe('parseTrustPolicy: condition operators', () => {
  it.each(['StringEqual', 'StringEqualsIfExist', 'ForSomeValues:StringLike', 'ForAnyValue:Null', 'StringLike ', ''])(
    'records unknown operator %p and keeps its entry without an operator',
    (operator) => {
      // Given a condition under an operator IAM does not know
      // When it is read
      const result = readOk(conditionPolicy(SUB, operator));
      // Then the operator is reported, and the entry is kept with its values but no parsed operator
      expect(quirksOfKind(result, 'unknown-operator')).toEqual([
        { kind: 'unknown-operator', path: `$.Statement[0].Condition.${operator}`, operator },
      ]);
      const [entry] = firstStatement(result).conditions;
      expect(entry?.operator).toBeUndefined();
      expect(entry?.operatorText).toBe(operator);
      expect(entry?.values).toEqual([SUB]);
    },
  );

  it.each<[string, ConditionOperator]>([
    ['StringEquals', { base: 'StringEquals', ifExists: false }],
    ['StringLikeIfExists', { base: 'StringLike', ifExists: true }],
    ['ForAnyValue:StringLike', { base: 'StringLike', qualifier: 'ForAnyValue', ifExists: false }],
    ['ForAllValues:StringEqualsIfExists', { base: 'StringEquals', qualifier: 'ForAllValues', ifExists: true }],
    ['Null', { base: 'Null', ifExists: false }],
    ['ArnNotLike', { base: 'ArnNotLike', ifExists: false }],
  ])('parses operator %p without a quirk', (operator, parsed) => {
    // Given a condition under a known operator, written canonically
    // When it is read
    const result = readOk(conditionPolicy('true', operator));
    // Then it is parsed and nothing is remarked on
    expect(firstStatement(result).conditions[0]?.operator).toEqual(parsed);
    expect(result.quirks).toEqual([]);
  });

  it.each([
    ['stringequals', 'StringEquals'],
    ['STRINGLIKE', 'StringLike'],
    ['forallvalues:stringequals', 'ForAllValues:StringEquals'],
  ])('notes operator %p written in another case than %p', (written, canonical) => {
    // Given an operator in unusual letter case
    // When it is read
    const result = readOk(conditionPolicy(SUB, written));
    // Then it is understood, and the spelling is noted
    expect(firstStatement(result).conditions[0]?.operator?.base).toBe(canonical.replace(/^.*:/, ''));
    expect(result.quirks).toEqual([
      { kind: 'operator-case', path: `$.Statement[0].Condition.${written}`, written, canonical },
    ]);
  });
});

describe('parseTrustPolicy: elements and Effect', () => {
  it.each(['Resource', 'NotResource'])('records %s as prohibited in a trust policy', (name) => {
    // Given a statement with a resource element
    // When it is read
    const result = readOk(policy(statement({ [name]: '*' })));
    // Then it is reported as not allowed in a trust policy
    expect(result.quirks).toEqual([{ kind: 'prohibited-element', path: '$.Statement[0]', name }]);
  });

  it('records unknown elements of the document and of a statement', () => {
    // Given an unknown top-level element and an unknown statement element
    // When it is read
    const result = readOk({ ...policy(statement({ Conditions: {} })), Extra: 1 });
    // Then both are reported where they are
    expect(result.quirks).toEqual([
      { kind: 'unknown-element', path: '$', name: 'Extra' },
      { kind: 'unknown-element', path: '$.Statement[0]', name: 'Conditions' },
    ]);
  });

  it.each<[string, unknown]>([
    ['lower-case "allow"', 'allow'],
    ['"Allow " with a trailing space', 'Allow '],
    ['true', true],
    ['null', null],
    ['an array', ['Allow']],
  ])('records Effect %s as invalid and gives the statement no effect', (_label, effect) => {
    // Given a statement whose Effect is not exactly Allow or Deny
    // When it is read
    const result = readOk(policy(statement({ Effect: effect })));
    // Then the Effect is reported with its value, and the statement has no effect (it never applies)
    expect(result.quirks).toEqual([{ kind: 'invalid-effect', path: '$.Statement[0].Effect', value: effect }]);
    expect(firstStatement(result).effect).toBeUndefined();
  });

  it('records a missing Effect as invalid', () => {
    // Given a statement without Effect
    const result = readOk(policy(statement({ Effect: undefined })));
    // Then it is reported and the statement has no effect
    expect(quirksOfKind(result, 'invalid-effect').map((q) => [q.path, q.value])).toEqual([
      ['$.Statement[0].Effect', undefined],
    ]);
    expect(firstStatement(result).effect).toBeUndefined();
  });

  it.each(['Allow', 'Deny'] as const)('accepts Effect %p', (effect) => {
    // Given a statement with a valid Effect, When it is read, Then it carries that effect and no quirk
    const result = readOk(policy(statement({ Effect: effect })));
    expect(firstStatement(result).effect).toBe(effect);
    expect(result.quirks).toEqual([]);
  });

  it.each<[string, Doc, Quirk[]]>([
    ['a missing Version', { Statement: [statement()] }, [{ kind: 'missing-version' }]],
    [
      'the 2008 Version',
      { Version: '2008-10-17', Statement: [statement()] },
      [{ kind: 'old-version', version: '2008-10-17' }],
    ],
    ['a numeric Version', { Version: 2012, Statement: [statement()] }, [{ kind: 'old-version', version: '2012' }]],
  ])('notes %s', (_label, doc, quirks) => {
    // Given a policy without the current Version, When it is read, Then the Version is noted
    const result = readOk(doc);
    expect(result.quirks).toEqual(quirks);
    expect(result.policy.version).toBe(typeof doc.Version === 'string' ? doc.Version : undefined);
  });

  it.each<[string, Doc, Quirk]>([
    ['no Principal', { Principal: undefined }, { kind: 'missing-principal', path: '$.Statement[0]' }],
    ['no Action', { Action: undefined }, { kind: 'missing-action', path: '$.Statement[0]' }],
  ])('records a statement with %s', (_label, overrides, quirk) => {
    // Given a statement missing a required element, When it is read, Then that is reported
    expect(readOk(policy(statement(overrides))).quirks).toEqual([quirk]);
  });
});

describe('parseTrustPolicy: condition values that are not strings', () => {
  it.each<[unknown, string[]]>([
    [true, ['true']],
    [false, ['false']],
    [42, ['42']],
    [0, ['0']],
    [1.5, ['1.5']],
    [
      [1, false, 'x'],
      ['1', 'false', 'x'],
    ],
    [[], []],
  ])('stringifies %p to %p, as IAM does', (value, expected) => {
    // Given a condition value that is a boolean, a number or a list of them
    // When it is read
    const result = readOk(conditionPolicy(value, 'Bool', 'aws:SecureTransport'));
    // Then the values are strings, and nothing is remarked on
    expect(firstStatement(result).conditions[0]?.values).toEqual(expected);
    expect(result.quirks).toEqual([]);
  });

  it.each<[string, unknown, unknown[]]>([
    ['null', null, [null]],
    ['an object', { nested: 'x' }, [{ nested: 'x' }]],
    ['a nested array', [SUB, [OTHER_SUB]], [[OTHER_SUB]]],
    ['null in an array', [SUB, null], [null]],
  ])('records %s as an invalid value and keeps the rest', (_label, value, invalid) => {
    // Given a condition value that cannot be a condition value
    // When it is read
    const result = readOk(conditionPolicy(value));
    // Then each bad item is reported with its path, and the good ones are kept
    expect(quirksOfKind(result, 'invalid-value')).toEqual(
      invalid.map((item) => ({
        kind: 'invalid-value',
        path: `$.Statement[0].Condition.StringEquals.${SUB_KEY}`,
        expected: 'a string, number or boolean',
        value: item,
      })),
    );
    expect(firstStatement(result).conditions[0]?.values).toEqual(Array.isArray(value) ? [SUB] : []);
  });
});

describe('parseTrustPolicy: failures, never exceptions', () => {
  const circular: Doc = { Version: '2012-10-17' };
  circular.Statement = circular;

  it.each<[string, unknown, ReadFailureKind, RegExp]>([
    ['empty text', '', 'empty', /^the trust policy is empty$/],
    ['whitespace only', ' \n\t ', 'empty', /^the trust policy is empty$/],
    [
      'a truncated percent-escape',
      '%E0%A4%A',
      'bad-url-encoding',
      /^the trust policy is not valid URL-encoded text: .+/,
    ],
    [
      'an encoded policy with a broken escape at the end',
      `${rfc3986(PRETTY)}%E0%A4%A`,
      'bad-url-encoding',
      /URL-encoded/,
    ],
    ['an escape that is not UTF-8', '%7B%FF%7D', 'bad-url-encoding', /URL-encoded/],
    ['a JSON array', '[{"Effect":"Allow"}]', 'not-an-object', /must be a JSON object, got an array$/],
    ['a JSON string', '"{}"', 'not-an-object', /got a string$/],
    ['a JSON number', '42', 'not-an-object', /got a number$/],
    ['JSON null', 'null', 'not-an-object', /got null$/],
    ['URL-encoded JSON null', '%6E%75%6C%6C', 'not-an-object', /got null$/],
    ['an array value', [IRSA_POLICY], 'not-an-object', /^expected policy text or a JSON object, got an array$/],
    ['a number value', 42, 'not-an-object', /got a number$/],
    ['null', null, 'not-an-object', /got null$/],
    ['undefined', undefined, 'not-an-object', /got nothing \(undefined\)$/],
    ['a circular object', circular, 'invalid-json', /^the trust policy object cannot be serialized: .+/],
    ['an object holding a BigInt', { Version: 1n }, 'invalid-json', /cannot be serialized/],
    ['an object whose toJSON returns undefined', { toJSON: () => undefined }, 'not-an-object', /no JSON value/],
  ])('fails on %s', (_label, input, kind, message) => {
    // Given input that is not a readable trust policy
    // When it is read
    const result = readFailure(input);
    // Then the failure names the problem
    expect(result.kind).toBe(kind);
    expect(result.message).toMatch(message);
  });

  it.each<[string, string]>([
    ['truncated text', PRETTY.slice(0, 60)],
    ['a trailing comma', '{"Version":"2012-10-17","Statement":[],}'],
    ['the opening brace missing (as printed in seed article 001)', PRETTY.slice(1)],
    ['single quotes', "{'Version':'2012-10-17'}"],
    ['a comment', `// trust\n${PRETTY}`],
    ['an unescaped control character in a string', '{"Sid":"a\u0001b"}'],
  ])('fails on invalid JSON (%s), with the parser message and the text as excerpt', (_label, text) => {
    // Given text that is not JSON
    // When it is read
    const result = readFailure(text);
    // Then the failure says it is not JSON and what the parser found wrong, and keeps the text as evidence
    expect(result.kind).toBe('invalid-json');
    expect(result.message).toBe(`the trust policy is not valid JSON: ${syntaxErrorOf(text.trim())}`);
    expect(result.excerpt).toBe(text.trim().slice(0, 300) + (text.trim().length > 300 ? '…' : ''));
  });

  it('fails on text longer than MAX_POLICY_TEXT before parsing it, with a short excerpt', () => {
    // Given otherwise valid JSON one character over the limit
    const text = `{"Version":"2012-10-17","Statement":[],"Id":"${'a'.repeat(MAX_POLICY_TEXT)}"}`;
    // When it is read
    const result = readFailure(text);
    // Then it is refused as too large, naming its size and the limit
    expect(result.kind).toBe('too-large');
    expect(result.message).toContain(String(text.length));
    expect(result.message).toContain(String(MAX_POLICY_TEXT));
    expect(result.excerpt).toHaveLength(301);
  });

  it('reads a document of exactly MAX_POLICY_TEXT characters', () => {
    // Given valid JSON exactly at the limit
    const head = '{"Version":"2012-10-17","Statement":[],"Id":"';
    const text = `${head}${'a'.repeat(MAX_POLICY_TEXT - head.length - 2)}"}`;
    expect(text).toHaveLength(MAX_POLICY_TEXT);
    // When it is read, Then it is read
    expect(readOk(text).minifiedLength).toBe(MAX_POLICY_TEXT);
  });

  it.each<[number, boolean]>([
    [MAX_DEPTH, true],
    [MAX_DEPTH + 1, false],
    [MAX_DEPTH + 200, false],
  ])('at nesting depth %i, reads the document: %p', (depth, readable) => {
    // Given a document nested `depth` levels deep (the document object itself is level 1)
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [], Id: nested(depth - 1, 'x', true) });
    // When it is read
    const result = parseTrustPolicy(text);
    // Then it is read up to MAX_DEPTH and refused beyond, naming the depth and the limit
    expect(result.ok).toBe(readable);
    if (!result.ok) {
      expect(result.kind).toBe('too-deep');
      expect(result.message).toBe(`the trust policy nests ${depth} levels deep (limit ${MAX_DEPTH})`);
    }
  });

  it('does not count brackets inside strings as nesting', () => {
    // Given a string full of brackets, When it is read, Then it is not refused as too deep
    const result = readOk({ ...IRSA_POLICY, Id: '['.repeat(MAX_DEPTH * 2) });
    expect(result.policy.statements).toHaveLength(1);
  });
});

describe('parseTrustPolicy: characters IAM does not accept', () => {
  const withSid = (sid: string) =>
    `{"Version":"2012-10-17","Statement":[{"Sid":"${sid}","Effect":"Allow","Principal":{"Federated":"${PROVIDER}"},"Action":"${ACTION}"}]}`;

  it.each([
    ['CJK characters', '中文'],
    ['an astral emoji', '😀'],
    ['a right-to-left override', '\u202E'],
    ['Arabic (right-to-left) text', 'مرحبا'],
    ['a zero-width space', '\u200B'],
    ['a lone surrogate', '\uD800'],
  ])('records %s as invalid-characters, with a sample around them', (_label, chars) => {
    // Given a policy whose Sid holds the characters
    // When it is read
    const result = readOk(withSid(`ab${chars}cd`));
    // Then they are reported with the text around them, and the document is still read
    const quirks = quirksOfKind(result, 'invalid-characters');
    expect(quirks).toHaveLength(1);
    expect(quirks[0]?.sample).toContain(`ab${chars}`.slice(0, 3));
    expect(firstStatement(result).sid).toBe(`ab${chars}cd`);
  });

  it.each([
    ['Latin-1 letters', 'café ñ ü ß ÿ'],
    ['printable ASCII', 'Allow-ops_1 (prod)'],
  ])('accepts %s', (_label, chars) => {
    // Given a policy with characters IAM accepts, When it is read, Then nothing is reported
    expect(readOk(withSid(chars)).quirks).toEqual([]);
  });

  it('skips the scan when asked to (the analyzer runs it itself, on IRSA roles only)', () => {
    // Given a policy holding an emoji, When it is read with skipCharacterCheck, Then no quirk is raised
    const result = parseTrustPolicy(withSid('ab😀cd'), { skipCharacterCheck: true });
    expect(result.ok && result.quirks).toEqual([]);
  });

  it('records characters outside Latin-1 in a parsed object too', () => {
    // Given a policy object whose Sid holds an emoji, When it is read, Then the character is reported
    const result = readOk(policy(statement({ Sid: 'rocket 🚀' })));
    expect(quirksOfKind(result, 'invalid-characters').map((q) => q.sample)).toEqual([expect.stringContaining('🚀')]);
  });
});

describe('parseTrustPolicy: minifiedLength', () => {
  const twoStatements = policy(
    statement({ Sid: 'One' }),
    statement({ Sid: 'Two', Condition: { StringLike: { [`${OTHER_ISSUER}:sub`]: 'system:serviceaccount:team-a:*' } } }),
  );
  it.each<[string, string]>([
    ['compact text', JSON.stringify(IRSA_POLICY)],
    ['two-space indentation', PRETTY],
    ['tabs and CRLF line ends', JSON.stringify(twoStatements, null, '\t').replace(/\n/g, '\r\n')],
    ['spaces around every colon and comma', '{ "Version" : "2012-10-17" , "Statement" : [ { "Effect" : "Allow" } ] }'],
    [
      'spaces inside string values, which count',
      JSON.stringify(conditionPolicy('system:serviceaccount: a : b'), null, 4),
    ],
    ['a statement given as an object', JSON.stringify({ Version: '2012-10-17', Statement: statement() }, null, 1)],
    ['empty objects and arrays', '{ "Version": "2012-10-17", "Statement": [ ], "Id": { } }'],
  ])('equals the length of JSON.stringify(JSON.parse(text)) for %s', (_label, text) => {
    // Given a document without escapes or repeated keys
    // When it is read
    const result = readOk(text);
    // Then its minified length is what IAM counts against the quota
    expect(result.minifiedLength).toBe(JSON.stringify(JSON.parse(text)).length);
  });

  it('is measured on the decoded text of a URL-encoded document', () => {
    // Given pretty-printed text, URL-encoded
    // When it is read
    const result = readOk(rfc3986(JSON.stringify(twoStatements, null, 2)));
    // Then the length is that of the minified document, not of the encoded text
    expect(result.minifiedLength).toBe(JSON.stringify(twoStatements).length);
  });
});

describe('invalidCharacterSampleInJson', () => {
  // Text JSON.parse accepts: values with any characters (controls escaped by JSON.stringify), laid out with the
  // whitespace JSON allows, or raw text of any characters when JSON.parse happens to accept it.
  const jsonTexts = fc.oneof(
    fc
      .tuple(fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), fc.constantFrom(0, 2, '\t'))
      .map(([value, space]) => JSON.stringify(value, null, space)),
    fc.string({
      unit: fc.constantFrom(
        '{',
        '}',
        '"',
        ':',
        ',',
        'a',
        ' ',
        '\t',
        '\n',
        '\r',
        '\u000b',
        '\u0001',
        'é',
        '\u0100',
        '\ud83d',
      ),
    }),
  );

  it('finds what invalidCharacterSample finds in any text JSON.parse accepts', () => {
    fc.assert(
      fc.property(jsonTexts, (text) => {
        fc.pre(parsesAsJson(text));
        expect(invalidCharacterSampleInJson(text)).toBe(invalidCharacterSample(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('reports a character above U+00FF with the text around it', () => {
    // Given valid JSON holding a character IAM refuses
    const text = JSON.stringify({ Sid: 'a\u2028b' });
    // Then both report the same sample
    expect(invalidCharacterSampleInJson(text)).toBe(text);
    expect(invalidCharacterSample(text)).toBe(text);
  });

  it('rests on JSON.parse refusing raw control characters other than tab, LF and CR', () => {
    for (const c of ['\u0000', '\u0007', '\u000b', '\u000c', '\u001f']) {
      expect(parsesAsJson(`{"a":"${c}"}`)).toBe(false);
      expect(parsesAsJson(`{${c}"a":1}`)).toBe(false);
    }
    expect(parsesAsJson('{\t"a":\r\n1}')).toBe(true);
  });
});

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('quickScan', () => {
  // Minified and spaced JSON of nested values whose strings may hold quotes, colons, braces, backslashes and spaces,
  // and raw texts with repeated keys: all the ways the shortcut could miscount.
  const text = fc.string({ unit: fc.constantFrom('a', 'b', ':', '{', '}', '[', ']', '"', '\\', ' ', '$', '{x}') });
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      text,
      fc.integer(),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(text, tie('node'), { maxKeys: 3 }),
    ),
  })).node;
  const documents = fc.oneof(
    fc.dictionary(text, value, { maxKeys: 4 }).map((d) => JSON.stringify(d)),
    fc.dictionary(text, value, { maxKeys: 4 }).map((d) => JSON.stringify(d, null, 1)),
    fc
      .tuple(fc.constantFrom('a', ':a', 'a:'), value, value)
      .map(([k, v1, v2]) => `{${JSON.stringify(k)}:${JSON.stringify(v1)},${JSON.stringify(k)}:${JSON.stringify(v2)}}`),
    fc.integer({ min: 30, max: 36 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  );

  it('agrees with scanJson whenever it answers', () => {
    fc.assert(
      fc.property(documents, (doc) => {
        const parsed = JSON.parse(doc) as Record<string, unknown>;
        const quick = quickScan(doc, parsed);
        const full = scanJson(doc);
        if (quick === undefined) return;
        expect([quick.keyCount, quick.minifiedLength, quick.maxDepth]).toEqual([
          full.keyCount,
          full.minifiedLength,
          full.maxDepth,
        ]);
      }),
      { numRuns: 3000 },
    );
  });

  it('answers for a minified IRSA trust policy and leaves repeated keys and deep nesting to scanJson', () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Federated: PROVIDER }, Condition: { StringEquals: { [SUB_KEY]: SUB } } },
      ],
    });
    expect(quickScan(policy, JSON.parse(policy))).toEqual({ ...scanJson(policy), parsedKeysMatch: true });
    const repeated = '{"Version":"2012-10-17","Version":"2008-10-17"}';
    expect(quickScan(repeated, JSON.parse(repeated))).toBeUndefined();
    const deep = `${'{"a":'.repeat(MAX_DEPTH + 1)}1${'}'.repeat(MAX_DEPTH + 1)}`;
    expect(quickScan(deep, JSON.parse(deep))).toBeUndefined();
  });

  it('trusts the parsed value only when written minified it is the text; numbers and escapes fall back to the key count', () => {
    const scan = (text: string) => quickScan(text, JSON.parse(text));
    // A repeated key with number values: the lengths cannot be compared (a number's spelling is unknown).
    expect(scan('{"a":1,"a":2}')).toBeUndefined();
    const read = parseTrustPolicy('{"a":1,"a":2}');
    expect(read.quirks[0]).toEqual({ kind: 'duplicate-key', path: '$', key: 'a', values: [1, 2] });
    // A repeated key written once with an escape: the text is longer than the parsed value, and the count finds it.
    expect(scan('{"\\u0061":"b","a":"c"}')).toBeUndefined();
    // 1e5 parses to 100000: the length is still the text's, and the key count confirms the one key.
    expect(scan('{"a":1e5}')).toEqual({ keyCount: 1, minifiedLength: 9, maxDepth: 1, parsedKeysMatch: true });
    expect(scan('{"a":100000}')).toEqual({ keyCount: 1, minifiedLength: 12, maxDepth: 1, parsedKeysMatch: true });
    // Escaped quotes and colons inside a value: lengths differ, and the count of '":' is more than the keys.
    expect(scan('{"a":"x\\":y"}')).toBeUndefined();
    expect(scan('{"a":"x\\"y","b":[true,false,null,{}]}')).toEqual({
      keyCount: 2,
      minifiedLength: 37,
      maxDepth: 3,
      parsedKeysMatch: true,
    });
  });
});
