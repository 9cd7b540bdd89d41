import { call } from '../api';

export const MANAGE_USAGE_URL = 'https://chatgpt.com/settings/usage';

export function ManageUsageLink() {
  return (
    <button type="button" className="link" onClick={() => void call('app.openExternal', { url: MANAGE_USAGE_URL })}>
      Manage usage
    </button>
  );
}

/** Shown near the model picker while requests use the person's ChatGPT plan. */
export function PlanIndicator() {
  return (
    <p className="plan-indicator" data-testid="plan-indicator">
      <span className="dot" aria-hidden="true" /> Using ChatGPT plan · <ManageUsageLink />
    </p>
  );
}

/** The one-time notice after the first sign-in with plan usage. */
export function PlanWelcome() {
  return (
    <div className="modal-backdrop">
      <div className="modal card" role="dialog" aria-modal="true" aria-labelledby="plan-welcome-title">
        <h2 id="plan-welcome-title">You're using your ChatGPT plan</h2>
        <p>Eligible requests Loupe makes are funded by your ChatGPT plan. You can see and manage this usage in ChatGPT settings.</p>
        <div className="actions">
          <ManageUsageLink />
          <button type="button" className="button button-primary" autoFocus onClick={() => void call('auth.dismissPlanWelcome', {})}>
            Got it
          </button>
        </div>
      </div>
    </div>
  );
}
