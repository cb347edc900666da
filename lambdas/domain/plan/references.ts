/**
 * Which OIDC providers a trust policy names: the `Federated` principals that are provider ARNs. The audit table
 * indexes changes by them, so that a provider is not rolled back (deleted) while a change of any run that names it
 * is in place.
 */
export function providersNamedBy(document: unknown): string[] {
  if (!isObject(document)) return [];
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const names = new Set<string>();
  for (const statement of statements) {
    if (!isObject(statement) || !isObject(statement.Principal)) continue;
    const federated = statement.Principal.Federated;
    for (const value of Array.isArray(federated) ? federated : [federated]) {
      if (typeof value === 'string' && /^arn:[^:]+:iam::\d{12}:oidc-provider\/./.test(value)) names.add(value);
    }
  }
  return [...names].sort();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
