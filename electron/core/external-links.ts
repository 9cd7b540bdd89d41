/**
 * Moved to kernel/external-links.ts. Kept only while analysis/analysis-error.ts
 * and analysis/usage-limit.ts import it from here; delete it once they import
 * from the kernel.
 */
export { MANAGE_USAGE_URL } from './kernel/external-links';
