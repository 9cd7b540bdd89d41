import type { AppState } from '../../electron/contract';

export function AccountScreen({ state }: { state: AppState }) {
  return (
    <section className="screen" aria-labelledby="account-title">
      <div className="hero card">
        <h1 id="account-title">Welcome to {state.app.name}</h1>
        <p className="muted">
          Sign in with your ChatGPT account, drop photos onto this window, and get a structured analysis of each one written to
          disk.
        </p>
        <p className="account-status" data-status={state.account.status}>
          Not signed in
        </p>
      </div>
    </section>
  );
}
