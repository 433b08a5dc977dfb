import { Logger } from '@aws-lambda-powertools/logger';

// One structured JSON logger per function; the correlation id is appended per request.
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'payments' });
