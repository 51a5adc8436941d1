// Logging in: with a token, or with a username and password on a userpass mount. Other
// methods log in the same way once they are mounted (their login path returns a token).
import { useState } from 'preact/hooks';
import { api } from '../api';
import { session } from '../session';
import { ErrorBox, Page, TextField, useAction } from '../widgets';

type Method = 'token' | 'userpass';

export function LoginScreen() {
  const [method, setMethod] = useState<Method>('token');
  const [token, setToken] = useState('');
  const [mount, setMount] = useState('userpass');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      if (method === 'token') return session.login(token.trim());
      const res = await api('PUT', `auth/${mount.replace(/\/+$/, '')}/login/${encodeURIComponent(username)}`, { password }, { token: null });
      setPassword('');
      return session.login(res?.auth?.client_token as string);
    });
  };
  return (
    <Page title="Sign in to Lockbox">
      <form onSubmit={submit} class="login">
        <div class="field">
          <label for="login-method">Method</label>
          <select id="login-method" value={method} onChange={(e) => setMethod((e.target as HTMLSelectElement).value as Method)}>
            <option value="token">Token</option>
            <option value="userpass">Username and password</option>
          </select>
        </div>
        {method === 'token'
          ? <TextField id="login-token" label="Token" type="password" value={token} onInput={setToken} required />
          : (
            <>
              <TextField id="login-mount" label="Mount path" value={mount} onInput={setMount} required hint="Where the userpass method is enabled, e.g. userpass" />
              <TextField id="login-username" label="Username" value={username} onInput={setUsername} required autoComplete="username" />
              <TextField id="login-password" label="Password" type="password" value={password} onInput={setPassword} required autoComplete="current-password" />
            </>
          )}
        <ErrorBox error={action.error} />
        <button type="submit" class="primary" disabled={action.busy}>Sign in</button>
      </form>
    </Page>
  );
}
