/**
 * AWS Chatbot (Amazon Q Developer in chat applications) custom notifications: the JSON a Slack or Teams channel
 * renders as a card, from a ChatCard. Format: https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
 * (schema: test/fixtures/schemas/chatbot-custom-notification.schema.json).
 *
 * Every value is escaped: control and bidi characters shown as escapes, `&`, `<` and `>` as entities (so a name
 * cannot form a Slack link or mention such as <!channel>), facts' values as inline code (so a name cannot bold,
 * strike or link: backticks in it become '). The page gives no length limits; ours are Slack's (a section's text is
 * at most 3000 characters) and short enough for a card.
 */
import type { ChatCard } from '../ports/notifier';
import { escapeControls } from '../shared/text';

export const CHAT_LIMITS = {
  title: 250,
  description: 3000,
  nextSteps: 5,
  nextStep: 300,
  keywords: 10,
  keyword: 50,
  summary: 250,
  fact: 300,
} as const;

export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: string[];
    readonly keywords: string[];
  };
  readonly metadata: {
    readonly threadId?: string;
    readonly summary: string;
    readonly eventType: string;
    readonly enableCustomActions: false;
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** One line of plain text, safe in client-markdown: controls escaped, &, < and > as entities. */
export function chatText(text: string, max: number): string {
  const entities = escapeControls(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return clip(entities, max);
}

/** A value as inline code: no markdown inside it can take effect. */
function code(value: string): string {
  return `\`${chatText(value.replace(/`/g, "'"), CHAT_LIMITS.fact) || ' '}\``;
}

function description(facts: ChatCard['facts']): string {
  const lines: string[] = [];
  let length = 0;
  for (const [label, value] of facts) {
    const line = `*${chatText(label, 60).replace(/[*_~`]/g, '')}:* ${code(value)}`;
    if (length + line.length + 1 > CHAT_LIMITS.description - 40) {
      lines.push(`… and ${facts.length - lines.length} more lines`);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}

export function chatbotNotification(card: ChatCard): ChatbotNotification {
  return {
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: chatText(card.title, CHAT_LIMITS.title),
      // The description is the one required field: never empty.
      description: description(card.facts) || chatText(card.summary, CHAT_LIMITS.summary) || '-',
      nextSteps: card.nextSteps.slice(0, CHAT_LIMITS.nextSteps).map((s) => chatText(s, CHAT_LIMITS.nextStep)),
      keywords: card.keywords
        .slice(0, CHAT_LIMITS.keywords)
        .map((k) => chatText(k, CHAT_LIMITS.keyword))
        .filter((k) => k.length > 0),
    },
    metadata: {
      ...(card.threadId ? { threadId: clip(card.threadId.replace(/[^A-Za-z0-9._:-]/g, '-'), 128) } : {}),
      summary: chatText(card.summary, CHAT_LIMITS.summary),
      eventType: card.eventType.replace(/[^A-Za-z0-9-]/g, '-'),
      enableCustomActions: false,
    },
  };
}
