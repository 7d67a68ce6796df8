// OpenTelemetry for the corpus Express app, loaded before the app (`node --require
// ./telemetry.js app.js`) so the instrumentations patch express, http, pg, ioredis and
// undici (fetch) as they are required. Traces go over OTLP/HTTP (protobuf) to
// OTEL_EXPORTER_OTLP_ENDPOINT; metrics and logs are off. Resource detectors are the SDK's
// local defaults (env, process, host): nothing leaves the machine.
'use strict';

process.env.OTEL_SERVICE_NAME ??= 'corpus-express';
process.env.OTEL_TRACES_EXPORTER ??= 'otlp';
process.env.OTEL_EXPORTER_OTLP_PROTOCOL ??= 'http/protobuf';
process.env.OTEL_METRICS_EXPORTER ??= 'none';
process.env.OTEL_LOGS_EXPORTER ??= 'none';

const { NodeSDK } = require('@opentelemetry/sdk-node');
const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');

const sdk = new NodeSDK({
  instrumentations: [getNodeAutoInstrumentations({ '@opentelemetry/instrumentation-fs': { enabled: false } })],
});
sdk.start();

// Flush the spans on `kill` (SIGTERM) and Ctrl-C before exiting.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    sdk.shutdown().finally(() => process.exit(0));
  });
}
