import type { ClusterRef, RoleRef } from '../../estate-index';
import type { DecodedTrustText } from '../../trust-policy/parse-trust-policy';
import type { AnalysisContext, RoleAnalysis } from '../context';
import {
  type CanonicalProvider,
  canonicalAnalysis,
  canonicalProvider,
  recordCanonicalUses,
  wellFormedSubject,
} from './canonical-document';

/**
 * The document fast path (canonical-document.ts) one step earlier still: the canonical document as IRSA tools write
 * it, recognised on its decoded text, so that it is not even parsed (JSON.parse of each policy was the largest cost
 * left in analysis). Only this exact spelling, minified, with nothing escaped:
 *
 *   {"Version":"2012-10-17","Statement":[S,...]}
 *   S = {"Effect":"Allow","Principal":{"Federated":"<provider ARN>"},"Action":"sts:AssumeRoleWithWebIdentity",
 *        "Condition":{"StringEquals":{"<issuer>:sub":<subjects>,"<issuer>:aud":"sts.amazonaws.com"}}}
 *        (the :sub and :aud keys in either order; <subjects> a string or a non-empty list of strings)
 *
 * The ARN is one canonicalProvider accepts for the role's account (it holds no quote, backslash or control
 * character), the keys are its issuer's, and each subject is a well-formed literal subject (letters, digits, '-',
 * '.', ':'), so every string in the text stands for itself: the text is valid JSON, has no repeated key, its length
 * is its minified length, and JSON.parse of it is a document canonicalRole accepts with the same targets. Any other
 * spelling (another element order, a Sid, whitespace, an escape) is left to canonicalRole on the parsed document.
 * canonical-statement.property.test.ts checks that both agree on what this accepts.
 */
export function canonicalTextRole(
  ref: RoleRef,
  decoded: DecodedTrustText,
  maxLength: number,
  ctx: AnalysisContext,
): RoleAnalysis | undefined {
  const text = decoded.text;
  if (text.length > maxLength || !startsAt(text, FIRST_STATEMENT, 0)) return undefined;
  const found: Found = { targets: [], arns: [] };
  let at = statementEnd(text, FIRST_STATEMENT.length, ref, ctx, found);
  while (at > 0 && startsAt(text, NEXT_STATEMENT, at)) {
    at = statementEnd(text, at + NEXT_STATEMENT.length, ref, ctx, found);
  }
  const end = text.length - 2;
  if (at !== end || text.charCodeAt(end) !== CLOSE_BRACKET || text.charCodeAt(end + 1) !== CLOSE_BRACE)
    return undefined;
  recordCanonicalUses(ref, found.targets, found.arns, ctx);
  return canonicalAnalysis(ref, decoded, undefined, found.targets);
}

const STATEMENT_OPEN = '{"Effect":"Allow","Principal":{"Federated":"';
const FIRST_STATEMENT = `{"Version":"2012-10-17","Statement":[${STATEMENT_OPEN}`;
const NEXT_STATEMENT = `,${STATEMENT_OPEN}`;
const CONDITION_OPEN = '"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"';
const AUD_VALUE = '":"sts.amazonaws.com"';
const STATEMENT_CLOSE = '}}}';
const COMMA = 44;
const QUOTE = 34;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const CLOSE_BRACE = 125;

/**
 * Whether `pattern` is in `text` at `at`. indexOf, not startsWith: about twice as fast in a V8 micro-benchmark of these
 * patterns (a miss scans on, but documents here are at most MAX_EVALUATED_TRUST_POLICY long).
 */
function startsAt(text: string, pattern: string, at: number): boolean {
  return text.indexOf(pattern, at) === at;
}

interface Found {
  readonly targets: ClusterRef[];
  readonly arns: string[];
}

/** The text of a provider's statement around its subjects, each way round, made once per provider. */
interface Spelling {
  /** From the quote closing the ARN to the subjects, :sub first. */
  readonly subFirstHead: string;
  /** From the subjects to the statement's close, :sub first. */
  readonly subFirstTail: string;
  /** From the quote closing the ARN to the subjects, :aud first. */
  readonly audFirstHead: string;
}

const spellings = new WeakMap<CanonicalProvider, Spelling>();

function spellingOf(provider: CanonicalProvider): Spelling {
  let spelling = spellings.get(provider);
  if (!spelling) {
    const { subKey, audKey } = provider;
    spelling = {
      subFirstHead: `${CONDITION_OPEN}${subKey}":`,
      subFirstTail: `,"${audKey}${AUD_VALUE}${STATEMENT_CLOSE}`,
      audFirstHead: `${CONDITION_OPEN}${audKey}${AUD_VALUE},"${subKey}":`,
    };
    spellings.set(provider, spelling);
  }
  return spelling;
}

/** The index just past the canonical statement whose ARN starts at `arnStart`, with its target and ARN added; or -1. */
function statementEnd(text: string, arnStart: number, ref: RoleRef, ctx: AnalysisContext, found: Found): number {
  const arnEnd = text.indexOf('"', arnStart);
  if (arnEnd < 0) return -1;
  const arn = text.slice(arnStart, arnEnd);
  const provider = canonicalProvider(arn, ctx);
  if (!provider || provider.accountId !== ref.accountId) return -1;
  const spelling = spellingOf(provider);
  let end: number;
  if (startsAt(text, spelling.subFirstHead, arnEnd)) {
    end = subjectsEnd(text, arnEnd + spelling.subFirstHead.length);
    end = end > 0 && startsAt(text, spelling.subFirstTail, end) ? end + spelling.subFirstTail.length : -1;
  } else if (startsAt(text, spelling.audFirstHead, arnEnd)) {
    end = subjectsEnd(text, arnEnd + spelling.audFirstHead.length);
    end = end > 0 && startsAt(text, STATEMENT_CLOSE, end) ? end + STATEMENT_CLOSE.length : -1;
  } else return -1;
  if (end > 0) {
    found.targets.push(provider.target);
    found.arns.push(arn);
  }
  return end;
}

/** Past the subjects at `at` (a string or a non-empty list of strings), or -1. */
function subjectsEnd(text: string, at: number): number {
  if (text.charCodeAt(at) !== OPEN_BRACKET) return subjectEnd(text, at);
  let i = at + 1;
  for (;;) {
    i = subjectEnd(text, i);
    if (i < 0) return -1;
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACKET) return i + 1;
    if (c !== COMMA) return -1;
    i++;
  }
}

/** Past one quoted well-formed literal subject at `at`, or -1. */
function subjectEnd(text: string, at: number): number {
  if (text.charCodeAt(at) !== QUOTE) return -1;
  const end = text.indexOf('"', at + 1);
  return end >= 0 && wellFormedSubject(text.slice(at + 1, end)) ? end + 1 : -1;
}
