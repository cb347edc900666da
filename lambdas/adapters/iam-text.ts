/**
 * IAM returns trust policies URL-encoded (RFC 3986) and the JS SDK does not decode them. Decoded once, here, by
 * every reader (collection, the writers' drift check, verification). Never throws: text that does not decode is
 * returned as it came, and the analyzer reports it (DOC-001).
 */
export function decodePolicyText(text: string): string {
  if (text.trimStart().startsWith('{')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
