import { createHash } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { LOCAL_REGION, localArn } from './aws-identity';

/** One delivery of a queue message, as Lambda's SQS event source hands it to a function. */
export function sqsRecord(delivery: {
  queue: string;
  messageId: string;
  receiptHandle: string;
  body: string;
  receiveCount: number;
  sentAt: Date;
  firstReceivedAt: Date;
}): SQSRecord {
  return {
    messageId: delivery.messageId,
    receiptHandle: delivery.receiptHandle,
    body: delivery.body,
    attributes: {
      ApproximateReceiveCount: String(delivery.receiveCount),
      SentTimestamp: String(delivery.sentAt.getTime()),
      SenderId: 'AROALOCALRUNTIME:events.amazonaws.com',
      ApproximateFirstReceiveTimestamp: String(delivery.firstReceivedAt.getTime()),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(delivery.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: localArn.queue(delivery.queue),
    awsRegion: LOCAL_REGION,
  };
}
