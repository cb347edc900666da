/**
 * The run digest as an AWS Chatbot custom notification: valid against the documented format
 * (test/fixtures/schemas/chatbot-custom-notification.schema.json), within the limits, every name escaped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import fc from 'fast-check';
import { CHAT_LIMITS, chatbotNotification } from '../../../lambdas/adapters/chatbot-message';
import type { ChatCard } from '../../../lambdas/ports/notifier';
import { runDigest } from '../../../lambdas/workflow/run-digest';

const schema = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/schemas/chatbot-custom-notification.schema.json'), 'utf8'),
);
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

function valid(payload: unknown): void {
  if (!validate(payload)) throw new Error(ajv.errorsText(validate.errors));
}

const summary = (accountId: string, collection: 'complete' | 'unreachable' = 'complete') => ({
  runId: 'run-1',
  accountId,
  collection,
  findings: 3,
  bySeverity: { critical: 1, high: 2, medium: 0, low: 0, info: 0 },
  newFindings: 1,
  resolvedFindings: 0,
  suppressed: 0,
  plans: 2,
  started: 1,
  proposeOnly: 0,
  rememberedRejections: 0,
  waitingElsewhere: 0,
});

describe('chatbotNotification', () => {
  it('renders the run digest as a valid card: title, facts, review links, keywords, the run as thread', () => {
    const digest = runDigest({
      runId: 'run-1',
      dryRun: false,
      targets: ['111111111111', '222222222222'],
      summaries: [summary('111111111111'), summary('222222222222', 'unreachable')],
      consoleUrl: 'https://irsa.example.com/',
    });
    const payload = chatbotNotification(digest.chat);
    valid(payload);
    expect(payload).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: digest.subject,
        nextSteps: ['Review plans: https://irsa.example.com/#/plans', 'History: https://irsa.example.com/#/history'],
        keywords: ['irsa-doctor', 'critical', 'accounts-not-analyzed'],
      },
      metadata: { threadId: 'irsa-doctor-run-run-1', eventType: 'IrsaDoctorRunDigest', enableCustomActions: false },
    });
    expect(payload.content.description.split('\n')).toContain('*Unreachable accounts:* `222222222222`');
    expect(payload.content.description).toContain('*Open findings:* `6 (2 critical, 4 high, 0 medium, 0 low, 0 info)`');
  });

  it('escapes hostile names: no mention, link, markup, control or bidi character takes effect', () => {
    const card: ChatCard = {
      title: 'Run <!channel> *now*',
      summary: 'x\u001b[31m',
      facts: [['Run', 'evil`* <@U123> <https://evil.example|click> & \u202egnp.exe\r\nforged line']],
      nextSteps: ['<!here> approve'],
      keywords: ['irsa-doctor'],
      threadId: 'run/../x y',
      eventType: 'Digest <x>',
    };
    const payload = chatbotNotification(card);
    valid(payload);
    const all = JSON.stringify(payload);
    expect(all).not.toMatch(/<[!@h]/);
    expect(all).not.toContain('\u202e');
    expect(all).not.toContain('\u001b');
    expect(payload.content.title).toBe('Run &lt;!channel&gt; *now*');
    // The value stays one line of inline code (its backtick cannot close the span).
    expect(payload.content.description).toBe(
      "*Run:* `evil'* &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp; \\u{202e}gnp.exe\\r\\nforged line`",
    );
    expect(payload.metadata.threadId).toBe('run-..-x-y');
    expect(payload.metadata.eventType).toBe('Digest--x-');
  });

  it('keeps every field within its limit, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 600 }),
        fc.array(fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 900 })), { maxLength: 40 }),
        fc.array(fc.string({ maxLength: 500 }), { maxLength: 12 }),
        (title, facts, steps) => {
          const payload = chatbotNotification({
            title,
            summary: title,
            facts,
            nextSteps: steps,
            keywords: steps,
            eventType: 'IrsaDoctorRunDigest',
          });
          valid(payload);
          expect(payload.content.title.length).toBeLessThanOrEqual(CHAT_LIMITS.title);
          expect(payload.content.description.length).toBeLessThanOrEqual(CHAT_LIMITS.description);
          expect(payload.content.nextSteps.length).toBeLessThanOrEqual(CHAT_LIMITS.nextSteps);
        },
      ),
    );
  });

  it('says how many lines a long description left out', () => {
    const facts = Array.from({ length: 50 }, (_, i) => [`Account ${i}`, 'x'.repeat(200)] as const);
    const payload = chatbotNotification({
      title: 't',
      summary: 's',
      facts,
      nextSteps: [],
      keywords: [],
      eventType: 'e',
    });
    valid(payload);
    expect(payload.content.description).toMatch(/… and \d+ more lines$/);
  });
});
