// Plain server-rendered forms, no scripts or external assets, so both a fetch-driven helper and
// Playwright in an offline Chromium can drive them. Selectors are part of the contract:
//   login:   form#login-form  input[name=email]  input[name=password]  button#login[type=submit]
//   consent: form#consent-form  input#agent-name[name=agent_name] (first registration only)
//            input#plan-usage[type=checkbox][name=plan_usage] (when plan usage is requested)
//            button#approve[name=decision][value=approve]  button#deny[name=decision][value=deny]
//   error:   #error  #error-description

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function layout(title: string, page: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#111}
label{display:block;margin:.75rem 0}input[type=email],input[type=password],input[type=text]{width:100%;padding:.4rem}
button{padding:.5rem 1rem;margin-right:.5rem}.error{color:#b00020}
</style>
</head>
<body data-page="${page}">
${body}
</body>
</html>`;
}

export function loginPage(opts: { uid: string; email?: string | undefined; error?: string | undefined }): string {
  return layout(
    'Log in - OpenAI (stand-in)',
    'login',
    `<h1>Log in to ChatGPT</h1>
${opts.error ? `<p class="error" id="login-error" role="alert">${escapeHtml(opts.error)}</p>` : ''}
<form id="login-form" method="post" action="/interaction/${escapeHtml(opts.uid)}/login">
<label>Email address <input type="email" name="email" autocomplete="username" value="${escapeHtml(opts.email)}" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit" id="login">Continue</button>
</form>`,
  );
}

export function consentPage(opts: {
  uid: string;
  email: string;
  firstRegistration: boolean;
  agentName: string;
  scopes: string[];
  offerPlanUsage: boolean;
}): string {
  const nameField = opts.firstRegistration
    ? `<label>App name <input type="text" id="agent-name" name="agent_name" value="${escapeHtml(opts.agentName)}"></label>`
    : `<p>App: <strong id="agent-name-display">${escapeHtml(opts.agentName)}</strong></p>`;
  const plan = opts.offerPlanUsage
    ? `<label><input type="checkbox" id="plan-usage" name="plan_usage" value="1" checked> Use my ChatGPT plan</label>`
    : '';
  return layout(
    'Authorize app - OpenAI (stand-in)',
    'consent',
    `<h1>Connect an app to ChatGPT</h1>
<p>Signed in as <span id="account-email">${escapeHtml(opts.email)}</span></p>
<form id="consent-form" method="post" action="/interaction/${escapeHtml(opts.uid)}/confirm">
${nameField}
<p>Requested permissions:</p>
<ul id="scopes">${opts.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
${plan}
<button type="submit" id="approve" name="decision" value="approve">Allow</button>
<button type="submit" id="deny" name="decision" value="deny">Cancel</button>
</form>`,
  );
}

export function errorPage(error: string, description?: string): string {
  return layout(
    'Error - OpenAI (stand-in)',
    'error',
    `<h1>Something went wrong</h1>
<p><code id="error">${escapeHtml(error)}</code></p>
<p id="error-description">${escapeHtml(description ?? '')}</p>`,
  );
}
