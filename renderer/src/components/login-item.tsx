// "Start at login" (desktop app only): the same setting as the tray menu's checkbox. Kept tiny and in
// the initial bundle (+0.3 KB gzip): as a lazy chunk it made the bundler move React into a shared
// chunk, which cost 1.5 KB gzip of the 1.8 KB left under the budget.
import { useEffect, useState } from 'react';
import { getApi } from '../bridge.ts';

export function LoginItem() {
  const [on, setOn] = useState<boolean | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    void getApi()['app:login-item']({}).then((r) => r.ok && r.value.supported && setOn(r.value.openAtLogin));
  }, []);
  if (on === null) return null;
  const change = async (openAtLogin: boolean): Promise<void> => {
    const r = await getApi()['app:login-item']({ openAtLogin });
    if (r.ok) {
      setOn(r.value.openAtLogin);
      setError('');
    } else setError(r.error.message);
  };
  return (
    <label className="small">
      <input type="checkbox" checked={on} onChange={(e) => void change(e.target.checked)} /> Start at login
      {error ? <span className="bad-text"> {error}</span> : null}
    </label>
  );
}
