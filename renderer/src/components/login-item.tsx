// "Start at login" (desktop app only): the same setting as the tray menu's checkbox. Kept tiny and in
// the initial bundle: as a lazy chunk it made the bundler move React into a shared chunk, which
// cost 1.5 KB gzip more than this. A refused change shows the stored setting again.
import { useEffect, useState } from 'react';
import { getApi } from '../bridge.ts';

export function LoginItem() {
  const [on, setOn] = useState<boolean>();
  const call = (openAtLogin?: boolean): void =>
    void getApi()['app:login-item'](openAtLogin === undefined ? {} : { openAtLogin }).then((r) =>
      r.ok ? r.value.supported && setOn(r.value.openAtLogin) : openAtLogin !== undefined && call(),
    );
  useEffect(call, []);
  return on === undefined ? null : (
    <label className="small">
      <input type="checkbox" checked={on} onChange={(e) => call(e.target.checked)} /> Start at login
    </label>
  );
}
