// The shifts screen's store: the cash drawer's session (open with a float, pay in and out, close with a
// count and its Z report), the X report, the Z report history, exports and reprints, and the audit log's
// check. Everything here needs a permission a cashier may not have: the PIN overlay asks for someone's
// whose role allows it.

import { runExpecting } from '../api';
import type { ApprovalPrompt } from '../approval.svelte';
import type { AuditView, Command, DrawerView, ExportFormat, ExportView, Report } from '../bindings';
import { cleanCount, type Count } from '../shifts/shifts';
import type { Navigation } from './navigation.svelte';
import type { CommandQueue } from './queue.svelte';

const WORDING = {
  session_rule: 'The drawer isn’t in the right state for that: check whether a session is open.',
  reason_required: 'The count doesn’t match: add a note saying why.',
};

export class ShiftStore {
  /** The drawer now, as last read. */
  drawer = $state.raw<DrawerView | null>(null);
  /** The report on screen (an X now, a Z just closed, or one from the history). */
  report = $state.raw<Report | null>(null);
  /** Stored Z reports, newest first. */
  history = $state.raw<Report[]>([]);
  /** The last check of the audit chain. */
  audit = $state.raw<AuditView | null>(null);
  /** An exported file to show. */
  exported = $state.raw<ExportView | null>(null);

  constructor(
    private readonly queue: CommandQueue,
    private readonly nav: Navigation,
    private readonly approval: ApprovalPrompt,
  ) {}

  reset(): void {
    this.drawer = null;
    this.report = null;
    this.history = [];
    this.audit = null;
    this.exported = null;
  }

  async showShifts(): Promise<void> {
    this.nav.screen = 'shifts';
    await this.refresh();
  }

  /** The drawer now. */
  async refresh(): Promise<void> {
    await this.queue.perform('drawer', async () => {
      this.drawer = await runExpecting({ cmd: 'drawer' }, 'drawer');
    });
  }

  /** Opens the session with a float; true when it opened. */
  openSession(float: Count): Promise<boolean> {
    return this.queue
      .perform(
        'session-open',
        async () => {
          this.drawer = await this.approval.send(
            { cmd: 'open_session', float: cleanCount(float) },
            'open the drawer session',
            (c) => runExpecting(c, 'drawer'),
          );
          return true;
        },
        WORDING,
      )
      .then((ok) => ok === true);
  }

  /** A pay-in or pay-out; true when recorded. */
  movement(kind: 'pay_in' | 'pay_out', amount: number, reason: string): Promise<boolean> {
    return this.queue
      .perform(
        kind,
        async () => {
          this.drawer = await this.approval.send(
            { cmd: kind, amount, reason },
            kind === 'pay_in' ? 'put cash into the drawer' : 'take cash out of the drawer',
            (c) => runExpecting(c, 'drawer'),
          );
          return true;
        },
        WORDING,
      )
      .then((ok) => ok === true);
  }

  /** The X report now. */
  async xReport(): Promise<void> {
    await this.queue.perform('x-report', async () => {
      const view = await this.approval.send({ cmd: 'x_report' }, 'see the X report', (c) =>
        runExpecting(c, 'report'),
      );
      this.report = view.report;
    });
  }

  /** Counts the drawer and closes the session; the Z is shown. True when closed. */
  closeSession(count: Count, note: string, carry: boolean, print: boolean): Promise<boolean> {
    const command: Command = {
      cmd: 'close_session',
      count: cleanCount(count),
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(carry ? { carry_open_orders: true } : {}),
      ...(print ? { print: true } : {}),
    };
    return this.queue
      .perform(
        'session-close',
        async () => {
          const view = await this.approval.send(command, 'close the drawer session (Z report)', (c) =>
            runExpecting(c, 'report'),
          );
          this.report = view.report;
          this.drawer = await runExpecting({ cmd: 'drawer' }, 'drawer');
          return true;
        },
        WORDING,
      )
      .then((ok) => ok === true);
  }

  /** The stored Z reports. */
  async loadHistory(): Promise<void> {
    await this.queue.perform('z-reports', async () => {
      const view = await this.approval.send({ cmd: 'z_reports', limit: 60 }, 'see the Z reports', (c) =>
        runExpecting(c, 'reports'),
      );
      this.history = view.reports;
    });
  }

  showReport(report: Report | null): void {
    this.report = report;
  }

  /** Prints the report on screen (a stored Z again, or the X now). */
  async print(report: Report): Promise<void> {
    await this.queue.perform(
      'report-print',
      async () => {
        const command: Command =
          report.z_number === null
            ? { cmd: 'print_report' }
            : { cmd: 'print_report', number: report.z_number };
        await this.approval.send(command, 'print the report', (c) => runExpecting(c, 'report'));
      },
      { not_found: 'No printer prints receipts yet: add one under Printers.' },
    );
  }

  /** The report on screen as a file (CSV, JSON or the cloud's daily shape). */
  async export(report: Report, format: ExportFormat): Promise<void> {
    await this.queue.perform('report-export', async () => {
      const command: Command =
        report.z_number === null
          ? { cmd: 'export_report', format }
          : { cmd: 'export_report', number: report.z_number, format };
      this.exported = await this.approval.send(command, 'export the report', (c) =>
        runExpecting(c, 'export'),
      );
    });
  }

  closeExport(): void {
    this.exported = null;
  }

  /** The audit log's newest entries and the check of its chain. */
  async checkAudit(): Promise<void> {
    await this.queue.perform('audit', async () => {
      this.audit = await this.approval.send({ cmd: 'audit_log', limit: 30 }, 'see the audit log', (c) =>
        runExpecting(c, 'audit'),
      );
    });
  }
}
