import 'aws-sdk-client-mock-vitest/extend';

// Handlers log through Powertools; keep test output to failures.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
