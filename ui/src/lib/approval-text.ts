// What the manager approval overlay says is being approved ("Manager approval needed: void Chips"), in a
// few words, from the command itself — so every command that may need a manager gets its sentence in one
// place, whichever screen sent it.

import type { Command, OrderView } from './bindings';
import { formatMoney } from './money';
import { formatRate } from './rates';

/** Commands that take a manager's `approval` (docs/commands.md, "Approvals"). */
export type Approvable = Extract<
  Command,
  {
    cmd:
      | 'change_line'
      | 'remove_line'
      | 'void_line'
      | 'set_line_discount'
      | 'set_order_discount'
      | 'override_price'
      | 'set_service_charge'
      | 'set_order_type'
      | 'cancel'
      | 'refund';
  }
>;

const APPROVABLE: ReadonlySet<string> = new Set<Approvable['cmd']>([
  'change_line',
  'remove_line',
  'void_line',
  'set_line_discount',
  'set_order_discount',
  'override_price',
  'set_service_charge',
  'set_order_type',
  'cancel',
  'refund',
]);

/** Can the core answer this command with `approval_required`? */
export function isApprovable(command: Command): command is Approvable {
  return APPROVABLE.has(command.cmd);
}

/** A tender as a cashier says it in a sentence. */
export function tenderName(tender: string): string {
  return tender === 'pay_by_bank' ? 'pay by bank' : tender;
}

/** What is being approved, for the overlay: "void Chips", "a 50% discount", "cancelling order 12". */
export function approvalWhat(command: Approvable, order: OrderView | null): string {
  const currency = order?.currency ?? 'GBP';
  const lineName = (no: number) => order?.lines.find((l) => l.no === no)?.name ?? `line ${no}`;
  switch (command.cmd) {
    case 'void_line':
      return `void ${lineName(command.line)}`;
    case 'remove_line':
      return `remove ${lineName(command.line)}`;
    case 'change_line': {
      if (command.quantity === undefined) return `changing ${lineName(command.line)}`;
      const now = order?.lines.find((l) => l.no === command.line)?.quantity;
      const way = now !== undefined && now < command.quantity ? 'up' : 'down';
      return `${lineName(command.line)} ${way} to ${command.quantity}`;
    }
    case 'set_line_discount':
    case 'set_order_discount': {
      const d = command.discount;
      if (!d) return 'removing a discount';
      return d.type === 'percent'
        ? `a ${formatRate(d.rate_bp)} discount`
        : `a ${formatMoney(d.amount, currency)} discount`;
    }
    case 'override_price':
      return command.unit_price === null
        ? `the menu price for ${lineName(command.line)}`
        : `${formatMoney(command.unit_price, currency)} for ${lineName(command.line)}`;
    case 'set_service_charge':
      return command.enabled ? 'restoring the service charge' : 'removing the service charge';
    case 'set_order_type':
      return command.kind.type === 'takeaway'
        ? 'switching to takeaway (no service charge)'
        : `moving to table ${command.kind.table}`;
    case 'cancel':
      return order ? `cancelling order ${order.number}` : 'cancelling the order';
    case 'refund': {
      const tender = tenderName(order?.payments.find((p) => p.id === command.payment)?.tender ?? 'card');
      if (command.amount !== undefined) {
        return `a refund of ${formatMoney(command.amount, currency)} to ${tender}`;
      }
      const items = (command.lines ?? []).map((l) => `${l.quantity} × ${lineName(l.line)}`).join(', ');
      return `a refund of ${items} to ${tender}`;
    }
  }
}
