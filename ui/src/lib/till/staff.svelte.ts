// The staff side of the shifts screen: the staff list and editing (add, change, deactivate, reset a PIN,
// change one's own PIN), who is on shift and the pay period's timesheet, and the tips allocation, its
// records and the written tipping policy. Editing and others' figures need a permission: the PIN overlay
// asks for someone's whose role allows it.

import { runExpecting } from '../api';
import type { ApprovalPrompt } from '../approval.svelte';
import type {
  Command,
  ExportView,
  Role,
  ShiftView,
  StaffListView,
  TimesheetView,
  TipAllocationView,
  TipRecordView,
} from '../bindings';
import type { CommandQueue } from './queue.svelte';

const WORDING = {
  conflict: 'That clashes with someone else: the id or the PIN is already taken.',
  not_permitted: 'That is beyond what your role (or the approver’s) may do.',
};

export class StaffStore {
  list = $state.raw<StaffListView | null>(null);
  onShift = $state.raw<ShiftView[]>([]);
  timesheet = $state.raw<TimesheetView | null>(null);
  tips = $state.raw<TipAllocationView | null>(null);
  records = $state.raw<TipRecordView[]>([]);
  exported = $state.raw<ExportView | null>(null);
  /** The written tipping policy, which every member of staff may read. */
  policy = $state<string | null>(null);

  constructor(
    private readonly queue: CommandQueue,
    private readonly approval: ApprovalPrompt,
  ) {}

  reset(): void {
    this.list = null;
    this.onShift = [];
    this.timesheet = null;
    this.tips = null;
    this.records = [];
    this.exported = null;
    this.policy = null;
  }

  /** The staff and who is on shift. */
  async load(): Promise<void> {
    await this.queue.perform('staff', async () => {
      this.list = await runExpecting({ cmd: 'staff' }, 'staff');
      this.onShift = (await runExpecting({ cmd: 'on_shift' }, 'shifts')).shifts;
    });
  }

  private edit(key: string, command: Command, what: string): Promise<boolean> {
    return this.queue
      .perform(
        key,
        async () => {
          this.list = await this.approval.send(command, what, (c) => runExpecting(c, 'staff'));
          return true;
        },
        WORDING,
      )
      .then((ok) => ok === true);
  }

  add(id: string, name: string, role: Role, pin: string): Promise<boolean> {
    return this.edit('staff-add', { cmd: 'add_staff', id, name, role, pin }, `add ${name} to the staff`);
  }

  change(id: string, change: { name?: string; role?: Role; active?: boolean }): Promise<boolean> {
    return this.edit('staff-change', { cmd: 'change_staff', id, ...change }, `change ${id}`);
  }

  resetPin(staff: string, pin: string): Promise<boolean> {
    return this.edit('staff-pin', { cmd: 'reset_pin', staff, pin }, `reset ${staff}'s PIN`);
  }

  /** The member logged in changes their own PIN. */
  changeOwnPin(old: string, pin: string): Promise<boolean> {
    return this.queue
      .perform(
        'own-pin',
        async () => {
          await runExpecting({ cmd: 'change_pin', old, new: pin }, 'session');
          return true;
        },
        { ...WORDING, wrong_pin: 'Your PIN now wasn’t recognised.' },
      )
      .then((ok) => ok === true);
  }

  /** The timesheet of the pay period holding `date` (today's when left out). */
  async loadTimesheet(date?: string): Promise<void> {
    await this.queue.perform('timesheet', async () => {
      this.timesheet = await this.approval.send(
        { cmd: 'timesheet', ...(date ? { date } : {}) },
        'see the timesheet',
        (c) => runExpecting(c, 'timesheet'),
      );
    });
  }

  /** A manager corrects a shift's times, with a reason; the timesheet is read again. */
  adjustShift(shift: number, clockIn: number, clockOut: number | null, reason: string): Promise<boolean> {
    return this.queue
      .perform(
        'shift-adjust',
        async () => {
          await this.approval.send(
            {
              cmd: 'adjust_shift',
              shift,
              clock_in: clockIn,
              ...(clockOut === null ? {} : { clock_out: clockOut }),
              reason,
            },
            'correct the shift',
            (c) => runExpecting(c, 'shifts'),
          );
          const from = this.timesheet?.from;
          this.timesheet = await runExpecting(
            { cmd: 'timesheet', ...(from ? { date: from } : {}) },
            'timesheet',
          );
          this.onShift = (await runExpecting({ cmd: 'on_shift' }, 'shifts')).shifts;
          return true;
        },
        { invalid_input: 'Clock-out must be after clock-in, within 24 hours, and not in the future.' },
      )
      .then((ok) => ok === true);
  }

  /** The tips allocation of the pay period holding `date`, and the records kept. */
  async loadTips(date?: string): Promise<void> {
    await this.queue.perform('tips', async () => {
      this.tips = await this.approval.send({ cmd: 'tips', ...(date ? { date } : {}) }, 'see the tips', (c) =>
        runExpecting(c, 'tips'),
      );
      this.records = (
        await this.approval.send({ cmd: 'tips_records' }, 'see the tips records', (c) =>
          runExpecting(c, 'tips_records'),
        )
      ).records;
    });
  }

  /** Records the (ended) period holding `date` as paid out on `paidOn`. */
  recordTips(date: string, paidOn: string): Promise<boolean> {
    return this.queue
      .perform(
        'tips-record',
        async () => {
          await this.approval.send(
            { cmd: 'record_tips', date, paid_on: paidOn },
            'record the tips as paid',
            (c) => runExpecting(c, 'tips_records'),
          );
          this.records = (await runExpecting({ cmd: 'tips_records' }, 'tips_records')).records;
          return true;
        },
        {
          ...WORDING,
          invalid_input: 'Choose a pay period that has ended, and a paid-on date after it starts.',
        },
      )
      .then((ok) => ok === true);
  }

  /** The written tipping policy (no permission needed). */
  async loadPolicy(): Promise<void> {
    await this.queue.perform(
      'tips-policy',
      async () => {
        this.policy = (await runExpecting({ cmd: 'tipping_policy' }, 'tips')).policy;
      },
      {},
      'background',
    );
  }

  async exportTips(staff: string): Promise<void> {
    await this.queue.perform('tips-export', async () => {
      this.exported = await this.approval.send(
        { cmd: 'export_tips', staff },
        'export the tips records',
        (c) => runExpecting(c, 'export'),
      );
    });
  }

  closeExport(): void {
    this.exported = null;
  }
}
