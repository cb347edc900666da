/** The Notifier port in memory: records every message (SNS in AWS). */
import type { ChatCard, Notifier } from '../../../lambdas/ports/notifier';

export interface SentMessage {
  readonly subject: string;
  readonly message: string;
  readonly chat?: ChatCard;
}

export class RecordingNotifier implements Notifier {
  readonly sent: SentMessage[] = [];

  async publish(subject: string, message: string, chat?: ChatCard) {
    this.sent.push({ subject, message, ...(chat ? { chat } : {}) });
  }
}
