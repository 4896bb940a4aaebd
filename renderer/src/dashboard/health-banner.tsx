// The banner over the accounts list when an account needs attention soon or is broken (issue 13),
// with the one action that fixes it. Fed by `health:list` and the `health:changed` event.
import { useEffect, useState } from 'react';
import type { Account } from '../../../shared/account.ts';
import { healthActionLabel, type AccountHealth, type HealthReason } from '../../../shared/health.ts';
import { getApi } from '../bridge.ts';
import { formatTime } from '../format.ts';

export type HealthFix = 'authorize' | 'configure' | 'register' | 'test';

const FIX: Record<HealthReason['action'], HealthFix | undefined> = {
  reauthorize: 'authorize',
  'edit-servers': 'configure',
  'edit-registration': 'register',
  retry: 'test',
  none: undefined,
};

/** The button for a reason: its diagnosis' action, named for what the user will do (shared/health.ts). */
function actionOf(r: HealthReason): { label: string; fix: HealthFix } | undefined {
  const label = healthActionLabel(r);
  const fix = FIX[r.action];
  return label !== undefined && fix !== undefined ? { label, fix } : undefined;
}

/** The accounts' health; null until the first answer (a failed one counts as "nothing to say"). */
export function useHealth(): AccountHealth[] | null {
  const [health, setHealth] = useState<AccountHealth[] | null>(null);
  useEffect(() => {
    let live = true;
    void getApi()['health:list']({}).then(
      (r) => {
        if (live) setHealth((h) => h ?? (r.ok ? r.value.accounts : []));
      },
      () => {
        if (live) setHealth((h) => h ?? []);
      },
    );
    const off = getApi().on('health:changed', (h) => setHealth(h.accounts));
    return () => {
      live = false;
      off();
    };
  }, []);
  return health;
}

export function HealthBanner({ health, accounts, onFix }: { health: AccountHealth[]; accounts: Account[]; onFix: (account: Account, fix: HealthFix) => void }) {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const problems = health.filter((h) => h.level !== 'ok' && byId.has(h.accountId));
  if (problems.length === 0) return null;
  const broken = problems.some((h) => h.level === 'broken');
  return (
    <section className={`health-banner ${broken ? 'broken' : 'attention'}`} role={broken ? 'alert' : 'status'} aria-label="Account health">
      {problems.map((h) => {
        const a = byId.get(h.accountId);
        const r = h.reasons[0];
        if (!a || !r) return null;
        const act = actionOf(r);
        return (
          <div className="health-item" key={h.accountId} data-level={h.level}>
            <p>
              <strong>{a.label || a.address}</strong>: {h.level === 'broken' ? 'not working' : 'needs attention'}. {r.message}
              {r.date !== undefined ? <span className="muted small"> ({h.level === 'broken' ? 'since' : 'by'} {formatTime(r.date)})</span> : null}{' '}
              <span className="code small">{r.code}</span>
            </p>
            {act ? (
              <button type="button" className="button small primary" onClick={() => onFix(a, act.fix)}>
                {act.label}
              </button>
            ) : null}
          </div>
        );
      })}
    </section>
  );
}
