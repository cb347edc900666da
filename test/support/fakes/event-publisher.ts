/** The EventPublisher port in memory: records every event (EventBridge in AWS), copied. */
import type { EventPublisher } from '../../../lambdas/ports/notifier';

export interface PublishedEvent {
  readonly detailType: string;
  readonly detail: object;
}

export class RecordingEventPublisher implements EventPublisher {
  readonly events: PublishedEvent[] = [];

  async publish(events: ReadonlyArray<PublishedEvent>) {
    for (const e of events) this.events.push(structuredClone({ detailType: e.detailType, detail: e.detail }));
  }

  /** The details of the events of one type, in order. */
  ofType(detailType: string): object[] {
    return this.events.filter((e) => e.detailType === detailType).map((e) => e.detail);
  }
}
