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
  if (text.length > maxLength || !text.startsWith(DOCUMENT_OPEN) || !text.endsWith(DOCUMENT_CLOSE)) return undefined;
  const found: Found = { targets: [], arns: [] };
  let at = DOCUMENT_OPEN.length;
  for (;;) {
    at = statementEnd(text, at, ref, ctx, found);
    if (at < 0) return undefined;
    if (text.charCodeAt(at) !== COMMA) break;
    at++;
  }
  if (at !== text.length - DOCUMENT_CLOSE.length) return undefined;
  recordCanonicalUses(ref, found.targets, found.arns, ctx);
  return canonicalAnalysis(ref, decoded, undefined, found.targets);
}

const DOCUMENT_OPEN = '{"Version":"2012-10-17","Statement":[';
const DOCUMENT_CLOSE = ']}';
const STATEMENT_OPEN = '{"Effect":"Allow","Principal":{"Federated":"';
const CONDITION_OPEN = '"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"';
const AUD_VALUE = '":"sts.amazonaws.com"';
const STATEMENT_CLOSE = '}}}';
const COMMA = 44;
const QUOTE = 34;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

interface Found {
  readonly targets: ClusterRef[];
  readonly arns: string[];
}

/** The index just past the canonical statement that starts at `at`, with its target and ARN added; -1 if none. */
function statementEnd(text: string, at: number, ref: RoleRef, ctx: AnalysisContext, found: Found): number {
  if (!text.startsWith(STATEMENT_OPEN, at)) return -1;
  const arnStart = at + STATEMENT_OPEN.length;
  const arnEnd = text.indexOf('"', arnStart);
  if (arnEnd < 0) return -1;
  const arn = text.slice(arnStart, arnEnd);
  const provider = canonicalProvider(arn, ctx);
  if (!provider || provider.accountId !== ref.accountId || !text.startsWith(CONDITION_OPEN, arnEnd)) return -1;
  const i = conditionEnd(text, arnEnd + CONDITION_OPEN.length, provider);
  if (i < 0 || !text.startsWith(STATEMENT_CLOSE, i)) return -1;
  found.targets.push(provider.target);
  found.arns.push(arn);
  return i + STATEMENT_CLOSE.length;
}

/** Past the :sub and :aud members (either first) of the StringEquals block, at `at` its first key; or -1. */
function conditionEnd(text: string, at: number, provider: CanonicalProvider): number {
  const { subKey } = provider;
  if (text.startsWith(subKey, at)) {
    const i = subjectsEnd(text, at + subKey.length);
    return i < 0 || !text.startsWith(',"', i) ? -1 : audEnd(text, i + 2, provider);
  }
  const i = audEnd(text, at, provider);
  if (i < 0 || !text.startsWith(',"', i) || !text.startsWith(subKey, i + 2)) return -1;
  return subjectsEnd(text, i + 2 + subKey.length);
}

/** Past `<issuer>:aud":"sts.amazonaws.com"` at `at`, or -1. */
function audEnd(text: string, at: number, provider: CanonicalProvider): number {
  if (!text.startsWith(provider.audKey, at)) return -1;
  const i = at + provider.audKey.length;
  return text.startsWith(AUD_VALUE, i) ? i + AUD_VALUE.length : -1;
}

/** Past `":` and the subjects after a :sub key (a string or a non-empty list of strings), or -1. */
function subjectsEnd(text: string, at: number): number {
  if (text.charCodeAt(at) !== QUOTE || text.charCodeAt(at + 1) !== 58) return -1;
  let i = at + 2;
  if (text.charCodeAt(i) !== OPEN_BRACKET) return subjectEnd(text, i);
  i++;
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
