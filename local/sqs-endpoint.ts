import { LOCAL_ACCOUNT } from './aws-identity';
import { type AwsJsonService, AwsServiceError, requireString } from './aws-json';
import { MAX_VISIBILITY_SECONDS, type QueueStore } from './queue-store';

// The slice of the SQS JSON 1.0 protocol the workers use: ChangeMessageVisibility (retry backoff).

/** The queue named by a QueueUrl (`.../<account>/<queue>`), if it is one of ours. */
function queueOf(url: string, knownQueues: ReadonlySet<string>): string {
  let path: string[];
  try {
    path = new URL(url).pathname.split('/').filter(Boolean);
  } catch {
    throw new AwsServiceError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
  }
  const [account, queue] = path;
  if (path.length !== 2 || account !== LOCAL_ACCOUNT || !queue || !knownQueues.has(queue)) {
    throw new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
  }
  return queue;
}

export function sqsService(store: QueueStore, knownQueues: ReadonlySet<string>): AwsJsonService {
  return {
    targetPrefix: 'AmazonSQS',
    contentType: 'application/x-amz-json-1.0',
    errorNamespace: 'com.amazonaws.sqs',
    queryErrorHeader: true,
    operations: {
      ChangeMessageVisibility: async (input) => {
        const queue = queueOf(requireString(input, 'QueueUrl'), knownQueues);
        const receiptHandle = requireString(input, 'ReceiptHandle');
        const seconds = input.VisibilityTimeout;
        if (
          typeof seconds !== 'number' ||
          !Number.isInteger(seconds) ||
          seconds < 0 ||
          seconds > MAX_VISIBILITY_SECONDS
        ) {
          throw new AwsServiceError(
            'InvalidParameterValue',
            `Value ${String(seconds)} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and ${MAX_VISIBILITY_SECONDS}.`,
          );
        }
        const outcome = await store.changeVisibility(queue, receiptHandle, seconds);
        if (outcome === 'receipt_handle_invalid') {
          throw new AwsServiceError(
            'ReceiptHandleIsInvalid',
            `The input receipt handle "${receiptHandle}" is not valid.`,
          );
        }
        if (outcome === 'message_not_in_flight') {
          throw new AwsServiceError('MessageNotInflight', 'The message referred to is not in flight.');
        }
        return {};
      },
    },
  };
}
