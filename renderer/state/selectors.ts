/** Named reads of AppState, so screens say what they need rather than where it lives. */
import type { AppState } from '../../electron/contract';

export const selectAccount = (s: AppState) => s.account;
export const selectAccounts = (s: AppState) => s.accounts;
export const selectSignIn = (s: AppState) => s.signIn;
export const selectModels = (s: AppState) => s.models;
export const selectSettings = (s: AppState) => s.settings;
export const selectNotices = (s: AppState) => s.notices;
export const selectLinks = (s: AppState) => s.links;
export const selectAnalysis = (s: AppState) => s.analysis;
export const selectJobs = (s: AppState) => s.analysis.jobs;
export const selectStaged = (s: AppState) => s.analysis.staged;
export const selectCan = (s: AppState) => s.account.can;

/** A model's display name for its slug; the slug itself when the list does not know it. */
export function modelName(state: AppState, slug: string): string {
  return state.models.items.find((m) => m.slug === slug)?.displayName ?? slug;
}

/** The job a person is most likely watching: the newest that is still running, else the newest. */
export function selectCurrentJob(s: AppState) {
  return s.analysis.jobs.find((j) => j.status === 'running' || j.status === 'queued') ?? null;
}
