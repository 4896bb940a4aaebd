import type { ActivityEntry } from '../../../shared/ipc.ts';
import { formatClock } from '../format.ts';

const KIND: Readonly<Record<ActivityEntry['kind'], string>> = { account: 'Account', auth: 'Sign-in', token: 'Token', test: 'Test', bridge: 'Bridge' };

/** Recent auth and test events (already redacted by the main process), newest first. */
export function ActivityLog({ entries }: { entries: readonly ActivityEntry[] }) {
  const sorted = [...entries].sort((a, b) => b.at - a.at).slice(0, 40);
  return (
    <section className="activity card" aria-labelledby="activity-title">
      <h2 id="activity-title">Recent activity</h2>
      {sorted.length === 0 ? (
        <p className="small muted">Sign-ins and tests will show up here.</p>
      ) : (
        <ol className="activity-list" aria-live="polite">
          {sorted.map((e) => (
            <li key={e.id} className={e.ok ? '' : e.cancelled ? 'cancelled' : 'failed'}>
              <span className={e.ok ? 'ok-text' : e.cancelled ? 'muted' : 'bad-text'} aria-label={e.ok ? 'succeeded' : e.cancelled ? 'cancelled' : 'failed'}>
                {e.ok ? '✓' : e.cancelled ? '–' : '✕'}
              </span>
              <span className="activity-text">
                <span className="activity-meta">
                  {formatClock(e.at)} · {KIND[e.kind]}
                </span>
                <span className="activity-message">{e.message}</span>
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
