/**
 * The same notification for a chat channel (AWS Chatbot's custom notification format in AWS): plain values only; the
 * adapter escapes and formats them (lambdas/adapters/chatbot-message.ts).
 */
export interface ChatCard {
  readonly title: string;
  /** One line: what happened (Chatbot's metadata.summary). */
  readonly summary: string;
  /** Label and value pairs, one a line; the values are shown as code (they may hold any name). */
  readonly facts: ReadonlyArray<readonly [label: string, value: string]>;
  /** What a person does next (links, commands). */
  readonly nextSteps: readonly string[];
  readonly keywords: readonly string[];
  /** Messages of one thread (the run) are grouped in the channel. */
  readonly threadId?: string;
  /** The kind of notification (Chatbot's metadata.eventType). */
  readonly eventType: string;
}

/** People-facing notifications (SNS in AWS): carry plan ids and links, never task tokens. */
export interface Notifier {
  /** The subject and text go to e-mail; the card, when given, to chat channels. */
  publish(subject: string, message: string, chat?: ChatCard): Promise<void>;
}

/** Machine-facing events (EventBridge in AWS), one per finding and per applied change, for users to route. */
export interface EventPublisher {
  publish(events: ReadonlyArray<{ readonly detailType: string; readonly detail: object }>): Promise<void>;
}

/** Resumes a workflow waiting on a task token (Step Functions SendTaskSuccess / SendTaskFailure). */
export interface TaskCallbacks {
  succeed(taskToken: string, output: object): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

/** Starts a workflow execution under a name; false when an execution of that name already exists. */
export interface WorkflowStarter {
  start(name: string, input: object): Promise<{ readonly started: boolean; readonly executionArn?: string }>;
}
