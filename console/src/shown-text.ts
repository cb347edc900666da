/**
 * Text as the console shows it: control characters and bidi overrides as visible escapes (lambdas/shared/text.ts),
 * except line breaks and tabs, which a <pre> shows as they are (the error pods see is "…\n\tstatus code: 403"). A
 * module without DOM types, so the unit tests (Node) can load it.
 */
import { escapeControls } from '../../lambdas/shared/text';

export function shownText(text: string): string {
  return text
    .split('\t')
    .map((part) => escapeControls(part, true))
    .join('\t');
}
