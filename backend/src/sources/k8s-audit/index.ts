// Kubernetes audit intake (DESIGN.md §6): the audit webhook and the audit log file reader.
export { AUDIT_WEBHOOK_PATH, auditIdOf, auditWebhookRouter, createAuditWebhook, splitPayload } from './webhook.js';
export type { AuditWebhook, AuditWebhookOptions, AuditWebhookResult, AuditWebhookStatus } from './webhook.js';
export { AuditLogReader, parseAuditFilePosition } from './file-reader.js';
export type { AuditFilePosition, AuditLogReaderOptions, AuditLogReaderStatus } from './file-reader.js';
export { k8sAuditConfigSchema, k8sAuditConfigShape, parseK8sAuditConfig } from './config.js';
export type { K8sAuditConfig, K8sAuditConfigInput } from './config.js';
export { auditMetrics, type AuditMetrics } from './metrics.js';
export { RecentAuditKeys, TokenBucket } from './limits.js';
