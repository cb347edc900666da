import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The text of a planner fixture written from a published pattern (test/fixtures/published/planner/README.md). */
export function publishedFixture(name: string): string {
  return readFileSync(join(__dirname, '../../../../fixtures/published/planner', name), 'utf8');
}
