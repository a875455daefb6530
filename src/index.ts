/** alakai-otel: the shared contract (spans ⇄ summary events) and the SDK for services. */
export * from './contract/index.js';
export * from './sdk/index.js';
