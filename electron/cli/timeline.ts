// The CLI's live step timeline: on a terminal, one line per protocol redrawn as progress events
// arrive; otherwise (pipes, CI logs) one plain line per finished step. Then the diagnoses.
import { describe } from '../../shared/diagnostics.ts';
import type { ProbeProgress, ProbeReport, StepStatus } from '../../shared/probe.ts';
import { formatMs } from '../../shared/format-time.ts';

type Cell = { step: string; status: StepStatus; ms?: number | undefined; code?: string | undefined };

const LABEL: Readonly<Record<string, string>> = { token: 'TOKEN', imap: 'IMAP', pop: 'POP3', smtp: 'SMTP' };
const MARK: Readonly<Record<StepStatus, string>> = { ok: '✓', failed: '✗', running: '…', pending: '·', skipped: '-' };

const fmtMs = formatMs;

export class Timeline {
  private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private readonly tty: boolean;
  private readonly rows = new Map<string, Cell[]>();
  private drawn = 0;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, address: string) {
    this.out = out;
    this.tty = out.isTTY === true;
    out.write(`Connection test for ${address}\n`);
  }

  update(p: ProbeProgress): void {
    const cells = this.rows.get(p.protocol) ?? [];
    this.rows.set(p.protocol, cells);
    const index = p.index ?? cells.length;
    cells[index] = { step: p.step, status: p.status, ms: p.ms, code: p.code };
    if (this.tty) this.redraw();
    else if (p.status !== 'running') {
      const label = (LABEL[p.protocol] ?? p.protocol).padEnd(5);
      const code = p.code ? `  ${p.code}` : '';
      this.out.write(`${label} ${MARK[p.status]} ${p.step.padEnd(13)} ${fmtMs(p.ms).padStart(8)}${code}\n`);
    }
  }

  finish(report: ProbeReport): void {
    if (this.tty) {
      // Final state from the report itself (the source of truth), not from the events.
      this.rows.clear();
      this.rows.set('token', [{ step: 'token', status: report.token.status, ms: report.token.ms, code: report.token.code }]);
      for (const p of report.protocols) this.rows.set(p.protocol, p.steps.map((s) => ({ ...s })));
      this.redraw();
    }
    this.out.write('\n');
    for (const p of report.protocols) {
      const what = p.ok ? 'passed' : `FAILED (${p.code ?? 'unknown'})`;
      const mech = p.mechanism ? `, ${p.mechanism}` : '';
      this.out.write(`${(LABEL[p.protocol] ?? p.protocol).padEnd(5)} ${p.host}:${p.port} ${p.security}${mech}: ${what} in ${fmtMs(p.ms)}\n`);
    }
    this.out.write(`${report.ok ? 'All checks passed' : 'Some checks failed'} (${fmtMs(report.ms)}).\n`);
  }

  private redraw(): void {
    const width = Math.max(40, (this.out.columns ?? 120) - 1);
    const lines: string[] = [];
    for (const key of ['token', 'imap', 'pop', 'smtp']) {
      const cells = this.rows.get(key);
      if (!cells) continue;
      const parts = cells.filter(Boolean).map((c) => `${MARK[c.status]} ${c.step}${c.ms !== undefined ? ` ${fmtMs(c.ms)}` : ''}`);
      const line = `${(LABEL[key] ?? key).padEnd(5)} ${parts.join('  ')}`;
      lines.push(line.length > width ? `${line.slice(0, width - 1)}…` : line);
    }
    let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const l of lines) s += `\x1b[2K${l}\n`;
    this.out.write(s);
    this.drawn = lines.length;
  }
}

/** The diagnosis of each failure: title, explanation, the server's words, fix steps. */
export function renderDiagnoses(report: ProbeReport): string {
  type Entry = { where: string[]; serverText?: string | undefined; detail?: string | undefined };
  const byCode = new Map<string, Entry>();
  const add = (code: string, where: string, serverText?: string, detail?: string): void => {
    const entry: Entry = byCode.get(code) ?? { where: [] };
    entry.where.push(where);
    entry.serverText ??= serverText;
    entry.detail ??= detail;
    byCode.set(code, entry);
  };
  if (report.token.status === 'failed' && report.token.code) add(report.token.code, 'token', undefined, report.token.detail);
  for (const p of report.protocols) {
    if (p.ok || !p.code) continue;
    const failed = p.steps.find((s) => s.status === 'failed');
    add(p.code, `${LABEL[p.protocol] ?? p.protocol} ${failed?.step ?? ''}`.trim(), failed?.serverText, failed?.detail);
  }
  let out = '';
  for (const [code, { where, serverText, detail }] of byCode) {
    const d = describe(code);
    out += `\n✗ ${d.title} [${code}] (${where.join(', ')})\n  ${d.explanation}\n`;
    if (serverText) out += `  Server said: ${serverText}\n`;
    if (detail) out += `  Details: ${detail}\n`;
    out += '  How to fix:\n';
    d.fix.forEach((f, i) => {
      out += `    ${i + 1}. ${f}\n`;
    });
  }
  return out;
}
