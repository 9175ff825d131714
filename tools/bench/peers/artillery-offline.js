// Preloaded into Artillery by tools/bench/run (NODE_OPTIONS=--require): with
// ARTILLERY_DISABLE_TELEMETRY set, Artillery 2.0.21 still sends an anonymous event
// to its telemetry service (a DNS look-up, then HTTPS). Its telemetry module does
// nothing when posthog-node cannot be loaded, so this makes that one require fail:
// the benchmark uses no network but loopback.
'use strict';

const Module = require('module');
const resolve = Module._resolveFilename;

Module._resolveFilename = function (request, ...rest) {
  if (request === 'posthog-node') {
    throw new Error('no telemetry in the loadgate benchmark');
  }
  return resolve.call(this, request, ...rest);
};
