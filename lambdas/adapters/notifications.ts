import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ChatCard, EventPublisher, Notifier, TaskCallbacks, WorkflowStarter } from '../ports/notifier';
import { escapeControls } from '../shared/text';
import { chatbotNotification } from './chatbot-message';

/**
 * SNS subjects are at most 100 characters of printable ASCII. The message is e-mail text a person reads: its lines
 * are kept, every other control character (escape sequences, carriage returns, bidi overrides) shown escaped.
 *
 * With a chat card, one publish carries two bodies (MessageStructure json): `default`, the text, for e-mail and
 * every other protocol, and `https`, the AWS Chatbot custom notification, for Chatbot (its subscription to the
 * topic is an HTTPS one). So the e-mail reader keeps the plain text and a Slack or Teams channel gets a card.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(subject: string, message: string, chat?: ChatCard) {
    const safe = subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
    const text = escapeControls(message, true);
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: safe,
        ...(chat
          ? {
              MessageStructure: 'json',
              Message: JSON.stringify({ default: text, https: JSON.stringify(chatbotNotification(chat)) }),
            }
          : { Message: text }),
      }),
    );
  }
}

/** PutEvents in batches of 10 (the API's limit), source "irsa-doctor". Failed entries are re-sent once, then reported. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: ReadonlyArray<{ readonly detailType: string; readonly detail: object }>) {
    for (let i = 0; i < events.length; i += 10) {
      let entries = events.slice(i, i + 10).map((e) => ({
        Source: 'irsa-doctor',
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
        EventBusName: this.busName,
      }));
      for (let attempt = 0; entries.length > 0; attempt++) {
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        if (!out.FailedEntryCount) break;
        const failed = entries.filter((_, k) => out.Entries?.[k]?.ErrorCode);
        if (attempt >= 1) {
          throw new Error(
            `EventBridge refused ${failed.length} event(s): ${out.Entries?.find((e) => e.ErrorCode)?.ErrorMessage ?? ''}`,
          );
        }
        entries = failed;
      }
    }
  }
}

export class SfnTaskCallbacks implements TaskCallbacks {
  constructor(private readonly client: SFNClient) {}

  async succeed(taskToken: string, output: object) {
    await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async fail(taskToken: string, error: string, cause: string) {
    await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32768) }));
  }
}

export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: object) {
    try {
      const out = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return { started: true, ...(out.executionArn ? { executionArn: out.executionArn } : {}) };
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists) return { started: false };
      throw err;
    }
  }
}
