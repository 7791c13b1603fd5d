// Replies the unit tests answer with: complete, typed views with sensible defaults, so each test states
// only what matters to it. Used by tests only; never imported by the app.

import type { LineView, MenuView, OrderView, PartView, PaymentView } from '../bindings';
import type { SyncNoteView, SyncStatus } from '../sync-bindings';

export function order(overrides: Partial<OrderView> = {}): OrderView {
  return {
    id: 'o1',
    alias: null,
    number: 1,
    business_date: '2026-01-01',
    state: 'pending',
    kind: 'takeaway',
    table: null,
    covers: null,
    parked: false,
    currency: 'GBP',
    lines: [],
    discount: null,
    service_charge: { rate_bp: 1250, kind: 'discretionary', applies: false, removed_reason: null },
    totals: {
      subtotal: 0,
      line_discounts: 0,
      order_discount: 0,
      after_discounts: 0,
      service_charge: 0,
      vat: [],
      vat_total: 0,
      total: 0,
      paid: 0,
      balance: 0,
      due: 0,
    },
    payments: [],
    refunds: [],
    payment_state: 'unpaid',
    tips: 0,
    refunded: 0,
    in_flight: 0,
    split: null,
    servers: [],
    opened_by: 'sam',
    opened_at: 0,
    updated_at: 0,
    version: 1,
    cancel_reason: null,
    saved: false,
    till: '0190a000-0000-7000-8000-000000000001',
    remote: false,
    ...overrides,
  };
}

export function line(no: number, quantity: number, sent = false, unit = 400): LineView {
  return {
    no,
    product: 'chips',
    sku: 'SD01',
    name: 'Chips',
    variant: null,
    modifiers: [],
    quantity,
    unit_price: unit,
    note: null,
    course: null,
    seat: null,
    vat_class: 'standard',
    station: 'kitchen',
    discount: null,
    price_override: null,
    sent,
    void: null,
    gross: unit * quantity,
    line_discount: 0,
    order_discount: 0,
    net: unit * quantity,
  };
}

export function payment(overrides: Partial<PaymentView> = {}): PaymentView {
  return {
    id: 'p1',
    tender: 'cash',
    status: 'succeeded',
    amount: 0,
    tip: 0,
    surcharge: 0,
    tendered: 0,
    change: 0,
    fee: 0,
    part: null,
    provider_ref: null,
    note: null,
    refundable: 0,
    staff: 'sam',
    at: 0,
    ...overrides,
  };
}

export function part(no: number, overrides: Partial<PartView> = {}): PartView {
  return {
    no,
    lines: [],
    gross: 0,
    discount: 0,
    service_charge: 0,
    vat: [],
    total: 0,
    paid: 0,
    in_flight: 0,
    due: 0,
    tips: 0,
    ...overrides,
  };
}

export function menu(overrides: Partial<MenuView> = {}): MenuView {
  return {
    restaurant: 'R',
    address: [],
    vat_number: '',
    currency: 'GBP',
    version: 1,
    tips: { enabled: true, presets_bp: [500, 1000, 2000], custom: true, base: 'after_discounts' },
    discount_approval_over_bp: 1000,
    service_charge_removal_needs_approval: true,
    categories: [],
    modifier_groups: [],
    products: [],
    ...overrides,
  };
}

/** A paired till, online, with nothing waiting. */
export function syncStatus(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    mode: 'online',
    device_id: '0190a000-0000-7000-8000-00000000c0de',
    cloud_url: 'https://cloud.example',
    restaurant_id: 'r1',
    device_name: 'Bar till',
    live: true,
    waiting: 0,
    notes: 0,
    last_sync_at: null,
    last_error: null,
    changes_applied: 0,
    ...overrides,
  };
}

export function syncNote(seq: number, overrides: Partial<SyncNoteView> = {}): SyncNoteView {
  return {
    seq,
    op_type: 'order.saved',
    outcome: 'rejected',
    code: 'conflict',
    message: 'the order changed on its own till',
    at: 0,
    ...overrides,
  };
}
