/** The Notifier port in memory: records every message (SNS in AWS). */
import type { Notifier } from '../../../lambdas/ports/notifier';

export interface SentMessage {
  readonly subject: string;
  readonly message: string;
}

export class RecordingNotifier implements Notifier {
  readonly sent: SentMessage[] = [];

  async publish(subject: string, message: string) {
    this.sent.push({ subject, message });
  }
}
