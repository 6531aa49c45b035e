// The one redaction of URLs lives in spec/redact.ts (reference server, harness and chaos tools alike).
export { redactUrl } from '../../spec/redact.ts';
