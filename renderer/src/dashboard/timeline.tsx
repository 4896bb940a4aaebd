// The health extras of the dashboard (issue 13), in their own lazy chunk (the initial bundle has
// a budget): each account's recent tests and token renewals as a small timeline, and the user's
// choice of how often the app tests the accounts by itself.
import { useEffect, useId, useState } from 'react';
import type { HistoryEntry, TestSchedule } from '../../../shared/health.ts';
import { describe } from '../../../shared/diagnostics.ts';
import { getApi } from '../bridge.ts';
import { formatTime, relativeTime } from '../format.ts';

const KIND: Record<HistoryEntry['kind'], string> = { test: 'Connection test', renew: 'Token renewal', refresh: 'Daily token refresh' };
const BY: Record<HistoryEntry['by'], string> = { schedule: 'scheduled', check: 'by mail-oauth check', user: 'by you' };

/** One entry in words (the dot's accessible name and tooltip). */
const words = (e: HistoryEntry): string =>
  `${KIND[e.kind]} (${BY[e.by]}) ${e.ok ? 'passed' : `failed: ${describe(e.code ?? 'INTERNAL').title} (${e.code ?? 'INTERNAL'})`}, ${formatTime(e.at)}`;

/** The newest entries shown: about two days of hourly tests fit the row. */
const SHOWN = 24;

export function AccountTimeline({ accountId, address }: { accountId: string; address: string }) {
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  useEffect(() => {
    let live = true;
    const load = (): void => {
      void getApi()['health:history']({ id: accountId }).then((r) => {
        if (live && r.ok) setEntries(r.value.entries);
      });
    };
    load();
    // Every test and renewal (scheduled or not) is followed by a health change.
    const off = getApi().on('health:changed', load);
    return () => {
      live = false;
      off();
    };
  }, [accountId]);
  // Until the history is in, a line of the same height: the row's buttons below it stay where
  // they are (a line appearing late moved them under the pointer).
  if (entries === null) {
    return (
      <div className="timeline small" data-testid="account-timeline" aria-busy="true">
        <span className="muted">History</span>
        <span className="muted">…</span>
      </div>
    );
  }
  const shown = entries.slice(-SHOWN);
  const last = shown.at(-1);
  return (
    <div className="timeline small" data-testid="account-timeline">
      <span className="muted">History</span>
      {shown.length === 0 ? (
        <span className="muted">no tests or renewals yet</span>
      ) : (
        <ol className="timeline-dots" aria-label={`Tests and renewals of ${address}, oldest first`}>
          {shown.map((e, i) => (
            <li key={`${e.at}-${i}`} className={`dot ${e.ok ? 'ok' : 'bad'} ${e.kind}`} title={words(e)}>
              <span className="sr-only">{words(e)}</span>
            </li>
          ))}
        </ol>
      )}
      {last ? (
        <span className={last.ok ? 'muted' : 'bad-text'}>
          {KIND[last.kind]} ({BY[last.by]}) {last.ok ? 'passed' : `failed (${last.code ?? 'INTERNAL'})`} {relativeTime(last.at)}
        </span>
      ) : null}
    </div>
  );
}

/** "Test accounts automatically": off, daily or hourly (the app's background schedule). */
export function TestScheduleSelect() {
  const id = useId();
  const [value, setValue] = useState<TestSchedule | null>(null);
  useEffect(() => {
    void getApi()['health:schedule']({}).then((r) => {
      if (r.ok) setValue(r.value.test);
    });
  }, []);
  if (value === null) return null;
  return (
    <span className="schedule-select small">
      <label htmlFor={id}>Test accounts automatically</label>{' '}
      <select
        id={id}
        className="input small"
        value={value}
        onChange={(e) => {
          const test = e.target.value as TestSchedule;
          void getApi()['health:set-schedule']({ test }).then((r) => {
            if (r.ok) setValue(r.value.test);
          });
        }}
      >
        <option value="off">Off</option>
        <option value="daily">Daily</option>
        <option value="hourly">Hourly</option>
      </select>
    </span>
  );
}
