import { describe, expect, it } from 'vitest';
import type { JobView, PrinterConfig, PrintersView, PrinterView } from '../bindings';
import {
  canCancel,
  checkPrinterForm,
  configFromForm,
  formFromConfig,
  isDuplicate,
  jobTitle,
  newPrinterForm,
  paperFontSize,
  receiptSent,
  stationId,
  suggestId,
  summarise,
  troubleText,
  whatItDoes,
  whereIs,
  type PrinterForm,
} from './printers';

function config(overrides: Partial<PrinterConfig> = {}): PrinterConfig {
  return {
    id: 'front',
    name: 'Front counter',
    transport: { type: 'tcp', host: '192.168.1.50' },
    language: 'escpos',
    width: 48,
    code_page: 'pc858',
    cut: 'partial',
    stations: [],
    receipts: true,
    auto_print: false,
    status_check: true,
    qr: 'native',
    ...overrides,
  };
}

function printer(overrides: Partial<PrinterView> & { id?: string; name?: string } = {}): PrinterView {
  const { id = 'front', name = 'Front counter', ...rest } = overrides;
  return { config: config({ id, name }), waiting: 0, ...rest };
}

function job(overrides: Partial<JobView> = {}): JobView {
  return {
    id: 1,
    printer: 'front',
    what: 'receipt',
    duplicate: false,
    state: 'pending',
    attempts: 0,
    reprint: false,
    created_at: 0,
    ...overrides,
  };
}

const view = (...printers: PrinterView[]): PrintersView => ({ printers, waiting: [] });

const filled = (overrides: Partial<PrinterForm> = {}): PrinterForm => ({
  ...newPrinterForm(),
  id: 'kitchen',
  name: 'Kitchen',
  host: '10.0.0.7',
  ...overrides,
});

describe('the printer form', () => {
  it('starts as a network printer on port 9100, 48 columns, PC858, partial cut, status checks on', () => {
    const form = newPrinterForm();
    expect(form).toMatchObject({
      transport: 'tcp',
      port: '9100',
      width: 48,
      code_page: 'pc858',
      cut: 'partial',
      status_check: true,
      language: 'escpos',
      qr: 'native',
      drawer: 'none',
      receipts: false,
      auto_print: false,
    });
  });

  it('accepts a good printer and builds the core’s config from it', () => {
    const form = filled({ stations: ['kitchen', 'bar'], receipts: true, auto_print: true, drawer: 'pin2' });
    expect(checkPrinterForm(form)).toEqual({});
    expect(configFromForm(form)).toEqual({
      id: 'kitchen',
      name: 'Kitchen',
      transport: { type: 'tcp', host: '10.0.0.7', port: 9100 },
      language: 'escpos',
      width: 48,
      code_page: 'pc858',
      cut: 'partial',
      stations: ['kitchen', 'bar'],
      receipts: true,
      auto_print: true,
      drawer: 'pin2',
      status_check: true,
      qr: 'native',
    });
  });

  it('leaves out the drawer and the port when there is none', () => {
    const built = configFromForm(filled({ port: '' }));
    expect(built.transport).toEqual({ type: 'tcp', host: '10.0.0.7' });
    expect('drawer' in built).toBe(false);
  });

  it('round-trips a printer through the form', () => {
    const cases: PrinterConfig[] = [
      config({ transport: { type: 'tcp', host: 'printer.local', port: 9101 }, drawer: 'pin5' }),
      config({ transport: { type: 'system', queue: 'Office_Laser' }, language: 'text', width: 42 }),
      config({ transport: { type: 'file', name: 'kitchen.bin' }, stations: ['grill'], receipts: false }),
    ];
    for (const c of cases) {
      const back = configFromForm(formFromConfig(c));
      expect(back).toEqual({
        ...c,
        transport: c.transport.type === 'tcp' ? { ...c.transport } : c.transport,
      });
    }
  });

  it('names each bad field', () => {
    const check = (overrides: Partial<PrinterForm>, taken: string[] = []) =>
      Object.keys(checkPrinterForm(filled(overrides), taken));
    expect(check({ id: 'Kitchen' })).toEqual(['id']);
    expect(check({ id: '' })).toEqual(['id']);
    expect(check({ id: 'a'.repeat(33) })).toEqual(['id']);
    expect(check({}, ['kitchen'])).toEqual(['id']);
    expect(check({ name: '  ' })).toEqual(['name']);
    expect(check({ name: 'x'.repeat(41) })).toEqual(['name']);
    expect(check({ host: 'a b' })).toEqual(['host']);
    expect(check({ host: '' })).toEqual(['host']);
    expect(check({ port: '0' })).toEqual(['port']);
    expect(check({ port: '65536' })).toEqual(['port']);
    expect(check({ port: '91a' })).toEqual(['port']);
    expect(check({ transport: 'system', queue: 'x/y' })).toEqual(['queue']);
    expect(check({ transport: 'file', file: '../till.db' })).toEqual(['file']);
    expect(check({ transport: 'file', file: '.hidden' })).toEqual(['file']);
    expect(check({ stations: ['Grill!'] })).toEqual(['stations']);
    expect(check({ auto_print: true, receipts: false })).toEqual(['auto_print']);
  });

  it('only checks the fields of the chosen connection', () => {
    expect(checkPrinterForm(filled({ transport: 'file', file: 'out.bin', host: '' }))).toEqual({});
  });

  it('suggests ids from names and reads typed stations', () => {
    expect(suggestId('Kitchen printer')).toBe('kitchen-printer');
    expect(suggestId('  Bar #2 ')).toBe('bar-2');
    expect(suggestId('Café')).toBe('cafe');
    expect(suggestId('x'.repeat(40))).toHaveLength(32);
    expect(stationId(' Pastry ')).toBe('pastry');
    expect(stationId('cold side')).toBe('cold-side');
    expect(stationId('Grill!')).toBeNull();
    expect(stationId('')).toBeNull();
  });

  it('says where a printer is and what it does', () => {
    expect(whereIs(config())).toBe('Network 192.168.1.50:9100');
    expect(whereIs(config({ transport: { type: 'system', queue: 'q' } }))).toBe('System printer q');
    expect(whatItDoes(config({ auto_print: true, stations: ['kitchen', 'bar'], drawer: 'pin2' }))).toBe(
      'Receipts (automatic) · Tickets: kitchen, bar · Cash drawer',
    );
    expect(whatItDoes(config({ receipts: false }))).toBe('Nothing assigned yet');
  });
});

describe('the printer status', () => {
  it('says nothing is set up when there are no printers', () => {
    expect(summarise(null).level).toBe('none');
    expect(summarise(view()).label).toBe('No printers');
  });

  it('is OK when nothing is wrong, counting jobs on their way', () => {
    expect(summarise(view(printer()))).toEqual({
      level: 'ok',
      waiting: 0,
      troubles: [],
      label: 'Printers OK',
    });
    expect(summarise(view(printer({ waiting: 2 }))).label).toBe('Printing 2 jobs');
  });

  it('lists each printer in trouble with its jobs waiting', () => {
    const status = summarise(
      view(
        printer({ id: 'kitchen', name: 'Kitchen', waiting: 3, problem: 'out of paper' }),
        printer({ waiting: 1 }),
        printer({ id: 'bar', name: 'Bar', waiting: 1, problem: 'offline' }),
      ),
    );
    expect(status.level).toBe('problem');
    expect(status.waiting).toBe(5);
    expect(status.label).toBe('2 printer problems');
    expect(status.troubles.map(troubleText)).toEqual([
      'Kitchen: out of paper — 3 jobs waiting.',
      'Bar: offline — 1 job waiting.',
    ]);
  });
});

describe('print jobs', () => {
  it('names what a job prints', () => {
    expect(jobTitle(job({ what: 'kitchen', station: 'bar' }))).toBe('Kitchen ticket · bar');
    expect(jobTitle(job({ duplicate: true }))).toBe('Receipt (duplicate)');
    expect(jobTitle(job({ what: 'something_new' }))).toBe('something_new');
  });

  it('lets only jobs that have not printed be cancelled', () => {
    expect(canCancel(job({ state: 'pending' }))).toBe(true);
    expect(canCancel(job({ state: 'uncertain' }))).toBe(true);
    for (const state of ['sending', 'done', 'failed', 'cancelled'] as const) {
      expect(canCancel(job({ state }))).toBe(false);
    }
  });

  it('says where a receipt went, and whether it is a duplicate', () => {
    const printers = view(printer());
    expect(receiptSent([job({ duplicate: true })], printers)).toBe('Duplicate receipt sent to Front counter');
    expect(receiptSent([job()], printers)).toBe('Receipt sent to Front counter');
    expect(receiptSent([job({ what: 'refund_receipt', duplicate: true })], printers)).toBe(
      'Duplicate refund receipt sent to Front counter',
    );
    expect(receiptSent([job({ printer: 'gone' })], null)).toBe('Receipt sent to gone');
  });
});

describe('previews', () => {
  it('sees DUPLICATE on the paper', () => {
    const doc = {
      title: 'Receipt',
      printers: [],
      width: 48,
      text: '   *** DUPLICATE ***\nThe Copper Kettle',
    };
    expect(isDuplicate(doc)).toBe(true);
    expect(isDuplicate({ ...doc, text: 'The Copper Kettle' })).toBe(false);
  });

  it('fits the paper’s width, never larger than body text', () => {
    expect(paperFontSize(1000, 48, 16)).toBe(16);
    expect(paperFontSize(300, 48, 16) * 48 * 0.62).toBeCloseTo(300);
    expect(paperFontSize(0, 48, 16)).toBe(16);
    expect(paperFontSize(10, 48, 16)).toBe(4);
  });
});
