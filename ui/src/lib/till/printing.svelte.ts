// Printing from the till: the printers' status (polled while someone is logged in, for the top bar),
// the printers screen (set-up, test pages, no-sale, recent jobs), receipts (previews and reprints) and
// kitchen ticket previews. Printing itself happens in the background in the core; every command here
// only queues jobs or reads them. Set-up, cancelling a job and the no-sale need a manager: a cashier
// gets the PIN overlay.

import { runExpecting } from '../api';
import type { ApprovalPrompt } from '../approval.svelte';
import type {
  Command,
  JobView,
  PreviewDocView,
  PrinterConfig,
  PrintersView,
  ReceiptRequest,
} from '../bindings';
import type { Wording } from '../errors';
import { receiptSent } from '../printing/printers';
import type { Navigation } from './navigation.svelte';
import type { CommandQueue } from './queue.svelte';

/** How often the top bar asks how the printers are. */
export const POLL_MS = 5_000;

/** How long a "sent to the printer" notice stays on screen. */
const NOTICE_MS = 6_000;

const PRINT_WORDING: Wording = {
  not_found: 'No printer prints receipts yet: a manager can add one under Printers.',
};

/** A short message that something was sent to print. */
export interface Notice {
  readonly text: string;
  /** Counts up, so the same words twice still show as new. */
  readonly seq: number;
}

export class PrintStore {
  /** The printers and their waiting jobs, as last polled; null until the first answer. */
  status = $state.raw<PrintersView | null>(null);
  /** The recent jobs on the printers screen, newest first. */
  jobs = $state.raw<JobView[]>([]);
  /** The last "sent to the printer" message. */
  notice = $state.raw<Notice | null>(null);

  private polling: ReturnType<typeof setInterval> | null = null;
  private asking = false;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly queue: CommandQueue,
    private readonly nav: Navigation,
    private readonly approval: ApprovalPrompt,
  ) {}

  /**
   * Polls the printers' status every few seconds until the returned function is called (the till is
   * locked). A poll is a read outside the command queue, so it never makes a tap wait; one still
   * running, or a window nobody can see, skips its turn.
   */
  watch(): () => void {
    this.stopWatching();
    void this.poll();
    const timer = setInterval(() => void this.poll(), POLL_MS);
    this.polling = timer;
    return () => {
      if (this.polling === timer) this.stopWatching();
    };
  }

  private stopWatching(): void {
    if (this.polling !== null) clearInterval(this.polling);
    this.polling = null;
  }

  private async poll(): Promise<void> {
    if (this.asking || (typeof document !== 'undefined' && document.visibilityState === 'hidden')) return;
    this.asking = true;
    try {
      this.status = await runExpecting({ cmd: 'printers' }, 'printers');
    } catch {
      // The status stays as it was; the next poll tries again.
    } finally {
      this.asking = false;
    }
  }

  /** The till was locked: stop polling and forget what was shown. */
  reset(): void {
    this.stopWatching();
    this.status = null;
    this.jobs = [];
    this.clearNotice();
  }

  /** Shows a notice for a few seconds. */
  private say(text: string): void {
    if (this.noticeTimer !== null) clearTimeout(this.noticeTimer);
    this.notice = { text, seq: (this.notice?.seq ?? 0) + 1 };
    this.noticeTimer = setTimeout(() => this.clearNotice(), NOTICE_MS);
  }

  clearNotice(): void {
    if (this.noticeTimer !== null) clearTimeout(this.noticeTimer);
    this.noticeTimer = null;
    this.notice = null;
  }

  /** The printers screen, with fresh status and jobs. */
  async showPrinters(): Promise<void> {
    this.nav.screen = 'printers';
    await this.refresh();
  }

  /** Reads the printers and the recent jobs again. */
  async refresh(): Promise<void> {
    await this.queue.perform('printers', async () => {
      this.status = await runExpecting({ cmd: 'printers' }, 'printers');
      this.jobs = (await runExpecting({ cmd: 'print_jobs', limit: 30 }, 'jobs')).jobs;
    });
  }

  /** Adds a printer (`adding`) or changes one; true when saved. */
  savePrinter(printer: PrinterConfig, adding: boolean): Promise<boolean> {
    const command: Command = adding ? { cmd: 'add_printer', printer } : { cmd: 'change_printer', printer };
    return this.queue
      .perform(
        'printer-save',
        async () => {
          this.status = await this.approval.send(
            command,
            `${adding ? 'add' : 'change'} the printer ${printer.name}`,
            (c) => runExpecting(c, 'printers'),
          );
          return true;
        },
        { conflict: 'Another printer already has that id.' },
      )
      .then((ok) => ok === true);
  }

  removePrinter(printer: PrinterConfig): Promise<boolean> {
    return this.queue
      .perform(`printer-remove-${printer.id}`, async () => {
        this.status = await this.approval.send(
          { cmd: 'remove_printer', id: printer.id },
          `remove the printer ${printer.name}`,
          (c) => runExpecting(c, 'printers'),
        );
        return true;
      })
      .then((ok) => ok === true);
  }

  /** Prints a test page on a printer. */
  async testPrinter(printer: PrinterConfig): Promise<void> {
    await this.queue.perform(`printer-test-${printer.id}`, async () => {
      await runExpecting({ cmd: 'test_printer', id: printer.id }, 'jobs');
      this.say(`Test page sent to ${printer.name}`);
      await this.reloadJobs();
    });
  }

  /** Tries the waiting jobs again now (of one printer, or of all). */
  async retry(id?: string): Promise<void> {
    await this.queue.perform(id ? `printer-retry-${id}` : 'printer-retry', async () => {
      this.status = await runExpecting({ cmd: 'retry_prints', ...(id ? { id } : {}) }, 'printers');
      this.say('Trying the waiting jobs again');
      if (this.nav.screen === 'printers') await this.reloadJobs();
    });
  }

  /** Cancels a job that has not printed. */
  async cancelJob(job: JobView): Promise<void> {
    await this.queue.perform(`job-cancel-${job.id}`, async () => {
      await this.approval.send({ cmd: 'cancel_print', job: job.id }, `cancel print job ${job.id}`, (c) =>
        runExpecting(c, 'jobs'),
      );
      await this.reloadJobs();
    });
  }

  /** A no-sale: opens the cash drawer, with a reason; a cashier needs a manager's PIN. */
  openDrawer(reason: string): Promise<boolean> {
    return this.queue
      .perform(
        'open-drawer',
        async () => {
          await this.approval.send({ cmd: 'open_drawer', reason }, 'open the cash drawer (no sale)', (c) =>
            runExpecting(c, 'jobs'),
          );
          this.say('Opening the cash drawer');
          await this.reloadJobs();
          return true;
        },
        { not_found: 'No printer has a cash drawer: set one up first.' },
      )
      .then((ok) => ok === true);
  }

  private async reloadJobs(): Promise<void> {
    this.jobs = (await runExpecting({ cmd: 'print_jobs', limit: 30 }, 'jobs')).jobs;
    this.status = await runExpecting({ cmd: 'printers' }, 'printers');
  }

  /** Prints a receipt (a duplicate when it printed before); the notice says where it went. */
  printReceipt(request: ReceiptRequest, key = 'print-receipt'): Promise<boolean> {
    return this.queue
      .perform(
        key,
        async () => {
          const { jobs } = await runExpecting({ cmd: 'print_receipt', ...request }, 'jobs');
          if (!this.status) this.status = await runExpecting({ cmd: 'printers' }, 'printers');
          this.say(receiptSent(jobs, this.status));
          return true;
        },
        PRINT_WORDING,
      )
      .then((ok) => ok === true);
  }

  /**
   * The receipt as it would print now, asked in turn behind every tap without a spinner or a message:
   * null when the core could not make it.
   */
  async receiptPreview(request: ReceiptRequest): Promise<PreviewDocView | null> {
    const reply = await this.queue.ask(() => runExpecting({ cmd: 'receipt_preview', ...request }, 'preview'));
    return reply?.documents[0] ?? null;
  }

  /** The kitchen tickets sending the order would print now, one per station; rejects when refused. */
  async ticketPreview(order: string): Promise<PreviewDocView[]> {
    const reply = await this.queue.inquire(() => runExpecting({ cmd: 'ticket_preview', order }, 'preview'));
    return reply.documents;
  }
}
