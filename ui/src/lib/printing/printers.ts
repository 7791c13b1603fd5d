// Printing as the till's screens need it, with no I/O: the printer form (defaults, checks, to and from
// the core's `PrinterConfig`), what the top bar's printer status says, how a print job is named, and
// what a preview's paper looks like. The core checks every printer again; these checks only say what is
// wrong next to the field, before the form is sent.

import type {
  CodePage,
  CutConfig,
  JobStateView,
  JobView,
  Language,
  PreviewDocView,
  PrinterConfig,
  PrintersView,
  QrConfig,
} from '../bindings';

/** The paper widths the core accepts, in characters per line. */
export const WIDTHS = [32, 42, 48] as const;
export type Width = (typeof WIDTHS)[number];

/** The port thermal printers listen on. */
export const DEFAULT_PORT = 9100;

/** The printer form as it is being filled in: text fields stay text until the form is checked. */
export interface PrinterForm {
  id: string;
  name: string;
  transport: 'tcp' | 'system' | 'file';
  host: string;
  port: string;
  queue: string;
  file: string;
  language: Language;
  width: Width;
  code_page: CodePage;
  cut: CutConfig;
  /** The kitchen stations it prints tickets for. */
  stations: string[];
  receipts: boolean;
  auto_print: boolean;
  drawer: 'none' | 'pin2' | 'pin5';
  status_check: boolean;
  qr: QrConfig;
}

/** The fields a problem can be shown beside. */
export type FormField = 'id' | 'name' | 'host' | 'port' | 'queue' | 'file' | 'stations' | 'auto_print';

/** What is wrong with a form, by field. */
export type FormProblems = Partial<Record<FormField, string>>;

/** A new printer: a network thermal printer on 80 mm paper, as most restaurants have. */
export function newPrinterForm(): PrinterForm {
  return {
    id: '',
    name: '',
    transport: 'tcp',
    host: '',
    port: String(DEFAULT_PORT),
    queue: '',
    file: '',
    language: 'escpos',
    width: 48,
    code_page: 'pc858',
    cut: 'partial',
    stations: [],
    receipts: false,
    auto_print: false,
    drawer: 'none',
    status_check: true,
    qr: 'native',
  };
}

/** The form for changing a printer the till has. */
export function formFromConfig(config: PrinterConfig): PrinterForm {
  const t = config.transport;
  return {
    ...newPrinterForm(),
    id: config.id,
    name: config.name,
    transport: t.type,
    host: t.type === 'tcp' ? t.host : '',
    port: t.type === 'tcp' ? String(t.port ?? DEFAULT_PORT) : String(DEFAULT_PORT),
    queue: t.type === 'system' ? t.queue : '',
    file: t.type === 'file' ? t.name : '',
    language: config.language,
    width: (WIDTHS as readonly number[]).includes(config.width) ? (config.width as Width) : 48,
    code_page: config.code_page,
    cut: config.cut,
    stations: [...config.stations],
    receipts: config.receipts,
    auto_print: config.auto_print,
    drawer: config.drawer ?? 'none',
    status_check: config.status_check,
    qr: config.qr,
  };
}

const SLUG = /^[a-z0-9_-]+$/;

/** An id made from a name: "Kitchen printer" gives "kitchen-printer". */
export function suggestId(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
}

/** A typed station name as a station id ("Pastry " gives "pastry"), or null when it cannot be one. */
export function stationId(text: string): string | null {
  const id = text.trim().toLowerCase().replace(/\s+/g, '-');
  return id.length > 0 && id.length <= 40 && SLUG.test(id) ? id : null;
}

/** Checks the form as the core will; `taken` are the ids of the other printers. */
export function checkPrinterForm(form: PrinterForm, taken: readonly string[] = []): FormProblems {
  const problems: FormProblems = {};
  const id = form.id.trim();
  if (!id || id.length > 32 || !SLUG.test(id)) {
    problems.id = 'Use 1 to 32 of a–z, 0–9, - and _.';
  } else if (taken.includes(id)) {
    problems.id = 'Another printer has this id.';
  }
  const name = form.name.trim();
  if (!name || [...name].length > 40 || /[\u0000-\u001f\u007f]/.test(name)) {
    problems.name = 'Give it a name of 1 to 40 characters.';
  }
  if (form.transport === 'tcp') {
    const host = form.host.trim();
    if (!host || host.length > 253 || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) {
      problems.host = 'Enter the printer’s IP address or host name.';
    }
    const port = form.port.trim();
    if (port !== '' && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
      problems.port = 'A port is 1 to 65535 (thermal printers use 9100).';
    }
  } else if (form.transport === 'system') {
    const queue = form.queue.trim();
    if (!queue || queue.length > 127 || !/^[A-Za-z0-9._@-]+$/.test(queue)) {
      problems.queue = 'Enter the system printer’s queue name (letters, digits, - _ . @).';
    }
  } else {
    const file = form.file.trim();
    if (!file || file.length > 64 || file.startsWith('.') || !/^[A-Za-z0-9._-]+$/.test(file)) {
      problems.file = 'Use 1 to 64 of letters, digits, - _ and . (not starting with .).';
    }
  }
  if (form.stations.length > 32 || form.stations.some((s) => stationId(s) !== s)) {
    problems.stations = 'Stations are up to 32 ids of a–z, 0–9, - and _.';
  }
  if (form.auto_print && !form.receipts) {
    problems.auto_print = 'Only a receipt printer can print receipts on its own.';
  }
  return problems;
}

/** The core's printer from a form that passed `checkPrinterForm`. */
export function configFromForm(form: PrinterForm): PrinterConfig {
  const port = form.port.trim();
  const transport: PrinterConfig['transport'] =
    form.transport === 'tcp'
      ? { type: 'tcp', host: form.host.trim(), ...(port ? { port: Number(port) } : {}) }
      : form.transport === 'system'
        ? { type: 'system', queue: form.queue.trim() }
        : { type: 'file', name: form.file.trim() };
  return {
    id: form.id.trim(),
    name: form.name.trim(),
    transport,
    language: form.language,
    width: form.width,
    code_page: form.code_page,
    cut: form.cut,
    stations: [...new Set(form.stations)],
    receipts: form.receipts,
    auto_print: form.receipts && form.auto_print,
    ...(form.drawer !== 'none' ? { drawer: form.drawer } : {}),
    status_check: form.status_check,
    qr: form.qr,
  };
}

/** Where a printer is, in a few words. */
export function whereIs(config: PrinterConfig): string {
  const t = config.transport;
  if (t.type === 'tcp') return `Network ${t.host}:${t.port ?? DEFAULT_PORT}`;
  if (t.type === 'system') return `System printer ${t.queue}`;
  return `File ${t.name}`;
}

/** What a printer does, in a few words: "Receipts (automatic) · kitchen, bar · drawer". */
export function whatItDoes(config: PrinterConfig): string {
  const parts: string[] = [];
  if (config.receipts) parts.push(config.auto_print ? 'Receipts (automatic)' : 'Receipts');
  if (config.stations.length > 0) parts.push(`Tickets: ${config.stations.join(', ')}`);
  if (config.drawer) parts.push('Cash drawer');
  return parts.length > 0 ? parts.join(' · ') : 'Nothing assigned yet';
}

/** A printer that has trouble: its jobs wait. */
export interface PrinterTrouble {
  readonly id: string;
  readonly name: string;
  readonly problem: string;
  readonly waiting: number;
}

/** What the top bar shows about printing. */
export interface PrintStatus {
  /** `none`: no printers set up (or not known yet); `ok`: no problems; `problem`: a printer has one. */
  readonly level: 'none' | 'ok' | 'problem';
  /** Jobs waiting, on every printer. */
  readonly waiting: number;
  readonly troubles: readonly PrinterTrouble[];
  /** The indicator's words. */
  readonly label: string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Sums up the printers for the top bar. */
export function summarise(view: PrintersView | null): PrintStatus {
  if (!view || view.printers.length === 0) {
    return { level: 'none', waiting: 0, troubles: [], label: 'No printers' };
  }
  const waiting = view.printers.reduce((n, p) => n + p.waiting, 0);
  const troubles = view.printers
    .filter((p) => p.problem !== undefined && p.problem !== null && p.waiting > 0)
    .map((p) => ({ id: p.config.id, name: p.config.name, problem: p.problem ?? '', waiting: p.waiting }));
  if (troubles.length > 0) {
    return {
      level: 'problem',
      waiting,
      troubles,
      label: troubles.length === 1 ? 'Printer problem' : `${troubles.length} printer problems`,
    };
  }
  return {
    level: 'ok',
    waiting,
    troubles,
    label: waiting > 0 ? `Printing ${plural(waiting, 'job', 'jobs')}` : 'Printers OK',
  };
}

/** The banner's sentence for a printer in trouble. */
export function troubleText(t: PrinterTrouble): string {
  return `${t.name}: ${t.problem} — ${plural(t.waiting, 'job', 'jobs')} waiting.`;
}

export const JOB_STATE_NAMES: Record<JobStateView, string> = {
  pending: 'Waiting',
  sending: 'Printing',
  uncertain: 'Cut off — will reprint',
  done: 'Printed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Can this job still be cancelled? Only one that has not printed and is not being sent. */
export function canCancel(job: JobView): boolean {
  return job.state === 'pending' || job.state === 'uncertain';
}

const WHAT_NAMES: Record<string, string> = {
  receipt: 'Receipt',
  refund_receipt: 'Refund receipt',
  kitchen: 'Kitchen ticket',
  void: 'VOID ticket',
  test_page: 'Test page',
  drawer: 'Open drawer',
};

/** What a job prints, in words: "Kitchen ticket · bar", "Receipt (duplicate)". */
export function jobTitle(job: JobView): string {
  const what = WHAT_NAMES[job.what] ?? job.what;
  const station = job.station ? ` · ${job.station}` : '';
  return `${what}${station}${job.duplicate ? ' (duplicate)' : ''}${job.reprint ? ' (reprint)' : ''}`;
}

/** A printer's name from its id, or the id when the till no longer has it. */
export function printerName(view: PrintersView | null, id: string): string {
  return view?.printers.find((p) => p.config.id === id)?.config.name ?? id;
}

/** What the till says after a receipt was sent: "Duplicate receipt sent to Front counter". */
export function receiptSent(jobs: readonly JobView[], view: PrintersView | null): string {
  const job = jobs[0];
  if (!job) return 'Nothing was sent to print.';
  const what = job.what === 'refund_receipt' ? 'refund receipt' : 'receipt';
  const lead = job.duplicate ? `Duplicate ${what}` : what.charAt(0).toUpperCase() + what.slice(1);
  return `${lead} sent to ${printerName(view, job.printer)}`;
}

/** Does this preview say it would print as a DUPLICATE (the receipt printed before)? */
export function isDuplicate(doc: PreviewDocView): boolean {
  return /\bDUPLICATE\b/.test(doc.text);
}

/**
 * The font size, in px, that fits `columns` characters of a monospace font into `room` px, but never
 * larger than `largest` (the till's body text). Monospace characters are about 0.6 em wide; a little
 * more is allowed so that a line never wraps.
 */
export function paperFontSize(room: number, columns: number, largest: number): number {
  if (!(room > 0) || !(columns > 0)) return largest;
  return Math.max(4, Math.min(largest, room / (columns * 0.62)));
}
