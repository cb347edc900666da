/**
 * The approval e-mail text through real SNS (the emulator): a topic with an HTTP subscription to a loopback server,
 * which receives what subscribers would. Names carrying terminal escape sequences, carriage returns and bidi
 * overrides arrive escaped; the message's own lines are kept.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SnsNotifier } from '../../../lambdas/adapters/notifications';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

useEmulatorCredentials();

describe('SnsNotifier', () => {
  let server: Server;
  const received: Array<{ Type?: string; Message?: string; Subject?: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        try {
          received.push(JSON.parse(body));
        } catch {
          received.push({ Message: body });
        }
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('publishes e-mail text with control characters escaped and its lines kept', async () => {
    // Given a topic whose subscriber is a loopback HTTP endpoint
    const client = new SNSClient({ endpoint: endpointUrl(), region: 'us-east-1' });
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: `notify-${Date.now()}` }));
    const { port } = server.address() as AddressInfo;
    await client.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${port}/sns` }));
    // When a message naming hostile service accounts is published
    await new SnsNotifier(client, TopicArn as string).publish(
      'Plan waiting \u001b[31m for approval',
      'Plan for service account evil\u001b[31mred/sa\rOK all good\nrole x\u202eexe.txt\nApprove at https://console',
    );
    // Then the subscriber gets the text escaped, with its three lines
    const notification = received.find((m) => m.Type === 'Notification');
    expect(notification?.Message).toBe(
      'Plan for service account evil\\e[31mred/sa\\rOK all good\nrole x\\u{202e}exe.txt\nApprove at https://console',
    );
    expect(notification?.Subject).toBe('Plan waiting ?[31m for approval');
  });

  it('with a chat card, sends the e-mail text as the default body (MessageStructure json), not the card', async () => {
    // Given a topic whose subscriber is a loopback HTTP endpoint (as e-mail, it is not the https protocol)
    const client = new SNSClient({ endpoint: endpointUrl(), region: 'us-east-1' });
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: `notify-chat-${Date.now()}` }));
    const { port } = server.address() as AddressInfo;
    await client.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${port}/chat` }));
    const before = received.length;
    // When the digest is published with its chat card
    await new SnsNotifier(client, TopicArn as string).publish('IRSA Doctor: 3 findings', 'Run run-1: 2 of 2 accounts', {
      title: 'IRSA Doctor: 3 findings',
      summary: '3 findings',
      facts: [['Run', 'run-1']],
      nextSteps: ['Review plans: irsa-doctor approvals list'],
      keywords: ['irsa-doctor'],
      eventType: 'IrsaDoctorRunDigest',
    });
    // Then this subscriber gets the plain text: the Chatbot JSON is the https body only
    const notification = received.slice(before).find((m) => m.Type === 'Notification');
    expect(notification?.Message).toBe('Run run-1: 2 of 2 accounts');
    expect(notification?.Subject).toBe('IRSA Doctor: 3 findings');
  });
});
