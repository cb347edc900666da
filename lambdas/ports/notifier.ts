/** People-facing notifications (SNS in AWS): carry plan ids and links, never task tokens. */
export interface Notifier {
  publish(subject: string, message: string): Promise<void>;
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
