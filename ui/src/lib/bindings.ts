// Generated from the Rust boundary types by `fynlo gen-ts` (crates/app/src/bindings.rs).
// Do not edit: change the Rust types and regenerate. Amounts are integer minor units.

export type Command = { "cmd": "login" } & Login | { "cmd": "logout" } | { "cmd": "whoami" } | { "cmd": "menu" } | { "cmd": "open_order" } & OpenOrder | { "cmd": "add_line" } & AddLine | { "cmd": "line_quote" } & LineQuote | { "cmd": "discount_quote" } & DiscountQuote | { "cmd": "change_line" } & ChangeLine | { "cmd": "remove_line" } & RemoveLine | { "cmd": "void_line" } & VoidLine | { "cmd": "set_line_discount" } & SetLineDiscount | { "cmd": "set_order_discount" } & SetOrderDiscount | { "cmd": "override_price" } & OverridePrice | { "cmd": "set_service_charge" } & SetServiceCharge | { "cmd": "set_order_type" } & SetOrderType | { "cmd": "send_to_kitchen" } & OrderRef | { "cmd": "set_status" } & SetStatus | { "cmd": "park" } & OrderRef | { "cmd": "resume" } & Resume | { "cmd": "show_order" } & OrderRef | { "cmd": "open_orders" } | { "cmd": "take_cash" } & TakeCash | { "cmd": "cash_quote" } & CashQuote | { "cmd": "pay" } & Pay | { "cmd": "check_payment" } & CheckPayment | { "cmd": "cancel_payment" } & CheckPayment | { "cmd": "payment_page" } & CheckPayment | { "cmd": "split_bill" } & SplitBill | { "cmd": "set_servers" } & SetServers | { "cmd": "tip_options" } & TipOptions | { "cmd": "refund" } & Refund | { "cmd": "fee_quote" } & FeeQuote | { "cmd": "recent_orders" } & RecentOrders | { "cmd": "recover_payments" } | { "cmd": "complete" } & OrderRef | { "cmd": "cancel" } & Cancel | { "cmd": "history" } & OrderRef | { "cmd": "printers" } | { "cmd": "add_printer" } & PutPrinter | { "cmd": "change_printer" } & PutPrinter | { "cmd": "remove_printer" } & PrinterRef | { "cmd": "test_printer" } & PrinterChoice | { "cmd": "print_receipt" } & ReceiptRequest | { "cmd": "receipt_preview" } & ReceiptRequest | { "cmd": "ticket_preview" } & TicketPreview | { "cmd": "print_jobs" } & PrintJobs | { "cmd": "retry_prints" } & PrinterChoice | { "cmd": "cancel_print" } & CancelPrint | { "cmd": "open_drawer" } & OpenDrawer | { "cmd": "drawer" } | { "cmd": "open_session" } & OpenSession | { "cmd": "pay_in" } & CashMovement | { "cmd": "pay_out" } & CashMovement | { "cmd": "x_report" } & ReportAccess | { "cmd": "close_session" } & CloseSession | { "cmd": "z_report" } & ZReportRef | { "cmd": "z_reports" } & Listing | { "cmd": "print_report" } & PrintReport | { "cmd": "export_report" } & ExportReport | { "cmd": "audit_log" } & AuditQuery | { "cmd": "staff" } | { "cmd": "add_staff" } & AddStaff | { "cmd": "change_staff" } & ChangeStaff | { "cmd": "change_pin" } & ChangePin | { "cmd": "reset_pin" } & ResetPin | { "cmd": "clock_in" } & Punch | { "cmd": "clock_out" } & Punch | { "cmd": "start_break" } & BreakPunch | { "cmd": "end_break" } & Punch | { "cmd": "on_shift" } | { "cmd": "timesheet" } & TimesheetRequest | { "cmd": "adjust_shift" } & AdjustShift | { "cmd": "tips" } & TipsPeriod | { "cmd": "record_tips" } & RecordTips | { "cmd": "tips_records" } & TipsQuery | { "cmd": "export_tips" } & TipsQuery | { "cmd": "tipping_policy" };

export type SyncAck = { 
/**
 * The op's sequence number.
 */
seq: bigint, 
/**
 * The op's id.
 */
op_id: string, } & ({ "outcome": "applied" } | { "outcome": "duplicate" } | { "outcome": "partial", 
/**
 * Why the rest was not (`conflict`).
 */
code: CloudErrorCode, 
/**
 * What was not applied, and why.
 */
message: string, } | { "outcome": "rejected", 
/**
 * Why, for code.
 */
code: CloudErrorCode, 
/**
 * Why, for people.
 */
message: string, });

export type SyncOutcome = { "outcome": "applied" } | { "outcome": "duplicate" } | { "outcome": "partial", 
/**
 * Why the rest was not (`conflict`).
 */
code: CloudErrorCode, 
/**
 * What was not applied, and why.
 */
message: string, } | { "outcome": "rejected", 
/**
 * Why, for code.
 */
code: CloudErrorCode, 
/**
 * Why, for people.
 */
message: string, };

export type CloudErrorCode = "invalid_input" | "unauthorized" | "forbidden" | "not_found" | "gap" | "too_large" | "rate_limited" | "conflict" | "internal" | "unavailable";

export type CloudError = { 
/**
 * For code to match on.
 */
code: CloudErrorCode, 
/**
 * For people to read.
 */
message: string, };

export type SyncChangeKind = "menu" | "settings" | "staff" | "order" | "payment";

export type Login = { 
/**
 * 4–6 digits.
 */
pin: string, 
/**
 * A staff id.
 */
staff?: string, };

export type ApprovalInput = { 
/**
 * The manager's PIN.
 */
pin: string, 
/**
 * The manager's staff id, to skip trying every manager.
 */
staff?: string, };

export type OrderRef = { 
/**
 * The order (default: current).
 */
order?: string, };

export type OpenOrder = { 
/**
 * Dine-in (table, covers) or takeaway.
 */
kind: OrderKindInput, 
/**
 * A name to refer to this order by later in the same session or script.
 */
alias?: string, };

export type AddLine = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * Product id.
 */
product?: string, 
/**
 * Product SKU.
 */
sku?: string, 
/**
 * Product barcode.
 */
barcode?: string, 
/**
 * Variant id, required when the product has variants.
 */
variant?: string, 
/**
 * Modifier ids.
 */
modifiers?: Array<string>, 
/**
 * How many (1–999, default 1).
 */
quantity?: number, 
/**
 * Note for the kitchen.
 */
note?: string, 
/**
 * Course.
 */
course?: CourseInput, 
/**
 * Seat (1–99).
 */
seat?: number, };

export type ChangeLine = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * Line number.
 */
line: number, 
/**
 * New quantity (1–999).
 */
quantity?: number, 
/**
 * New note.
 */
note?: string, 
/**
 * New course.
 */
course?: CourseInput, 
/**
 * New seat.
 */
seat?: number, 
/**
 * Fields to clear: any of "note", "course", "seat".
 */
clear?: Array<string>, 
/**
 * A manager's approval, when the change takes a discount past the approval threshold.
 */
approval?: ApprovalInput, };

export type LineQuote = { 
/**
 * Product id.
 */
product?: string, 
/**
 * Product SKU.
 */
sku?: string, 
/**
 * Product barcode.
 */
barcode?: string, 
/**
 * Variant id, required when the product has variants.
 */
variant?: string, 
/**
 * Modifier ids.
 */
modifiers?: Array<string>, 
/**
 * How many (1–999, default 1).
 */
quantity?: number, };

export type DiscountQuote = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * A line number, for a line discount; left out, the order discount.
 */
line?: number, 
/**
 * The discount.
 */
discount: DiscountInput, };

export type RemoveLine = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * Line number.
 */
line: number, 
/**
 * A manager's approval, when removing the line takes a discount past the approval threshold.
 */
approval?: ApprovalInput, };

export type VoidLine = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * Line number.
 */
line: number, 
/**
 * Why.
 */
reason: string, 
/**
 * A manager's approval, unless a manager is logged in.
 */
approval?: ApprovalInput, };

export type SetLineDiscount = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * Line number.
 */
line: number, 
/**
 * The discount, or null to clear.
 */
discount: DiscountInput | null, 
/**
 * A manager's approval, for a discount above the approval threshold.
 */
approval?: ApprovalInput, };

export type SetOrderDiscount = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * The discount, or null to clear.
 */
discount: DiscountInput | null, 
/**
 * A manager's approval, for a discount above the approval threshold.
 */
approval?: ApprovalInput, };

export type OverridePrice = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * Line number.
 */
line: number, 
/**
 * The unit price in minor units, or null for the menu's.
 */
unit_price: number | null, 
/**
 * Why (required when setting a price).
 */
reason?: string, 
/**
 * A manager's approval, unless a manager is logged in.
 */
approval?: ApprovalInput, };

export type SetServiceCharge = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * Charge it?
 */
enabled: boolean, 
/**
 * Why it is removed.
 */
reason?: string, 
/**
 * A manager's approval, for removing it (when the settings require one).
 */
approval?: ApprovalInput, };

export type SetOrderType = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * The new kind.
 */
kind: OrderKindInput, 
/**
 * Why, when the switch stops the service charge being charged (to takeaway).
 */
reason?: string, 
/**
 * A manager's approval, when the switch stops the service charge (and the settings require one).
 */
approval?: ApprovalInput, };

export type SetStatus = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * The new status.
 */
status: KitchenStatus, };

export type Resume = { 
/**
 * The order.
 */
order: string, };

export type RecentOrders = { 
/**
 * How many (default 20, at most 100).
 */
limit?: number, };

export type Cancel = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * Why.
 */
reason: string, 
/**
 * A manager's approval, when the order has lines the kitchen has seen.
 */
approval?: ApprovalInput, };

export type OrderKindInput = { "type": "dine_in", 
/**
 * Table name or number.
 */
table: string, 
/**
 * Number of guests.
 */
covers: number, } | { "type": "takeaway" };

export type DiscountInput = { "type": "percent", 
/**
 * The rate.
 */
rate_bp: number, 
/**
 * Why: required to give a discount (left out, it is refused as missing); `discount_quote`
 * works without one.
 */
reason?: string, } | { "type": "fixed", 
/**
 * The amount.
 */
amount: number, 
/**
 * Why: as for a percentage.
 */
reason?: string, };

export type KitchenStatus = "preparing" | "ready" | "served";

export type CourseInput = "starter" | "main" | "dessert";

export type TakeCash = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * What the guest handed over, in minor units.
 */
tendered: number, 
/**
 * The tip kept from it, in minor units.
 */
tip?: number, 
/**
 * The part of a split bill it pays.
 */
part?: number, };

export type Pay = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * Card or pay-by-bank.
 */
tender: ProviderTender, 
/**
 * What it settles (default: all that is due on the order or the part).
 */
amount?: number, 
/**
 * The guest's tip.
 */
tip?: TipInput, 
/**
 * The part of a split bill it pays.
 */
part?: number, 
/**
 * What the simulator should do (dev mode and tests).
 */
simulate?: SimOutcomeInput, };

export type CashQuote = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * What the guest is handing over, in minor units.
 */
tendered: number, 
/**
 * The tip they would keep back from it ("keep the change").
 */
tip?: number, 
/**
 * The part of a split bill it would pay.
 */
part?: number, };

export type CheckPayment = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * The payment id.
 */
payment: string, };

export type SplitBill = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * How, or null.
 */
split: SplitInput | null, };

export type SetServers = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * Staff ids.
 */
staff: Array<string>, };

export type TipOptions = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * The part of a split bill being paid.
 */
part?: number, 
/**
 * The payment's amount (default: all that is due on the order or the part).
 */
amount?: number, 
/**
 * A custom choice to work out too (the guest is typing it).
 */
custom?: TipInput, };

export type Refund = { 
/**
 * The completed order.
 */
order: string, 
/**
 * The payment to refund.
 */
payment: string, 
/**
 * An amount in minor units, or leave out and give `lines`.
 */
amount?: number, 
/**
 * Lines and quantities, or leave out and give `amount`.
 */
lines?: Array<RefundLineInput>, 
/**
 * Why.
 */
reason: string, 
/**
 * A manager's approval, unless a manager is logged in.
 */
approval?: ApprovalInput, };

export type FeeQuote = { 
/**
 * The order (default: current).
 */
order?: string, 
/**
 * An amount instead of the order's balance.
 */
amount?: number, };

export type TipInput = { "type": "none" } | { "type": "percent", 
/**
 * The rate.
 */
rate_bp: number, } | { "type": "amount", 
/**
 * The amount.
 */
amount: number, };

export type SplitInput = { "type": "even", 
/**
 * 2 to 20.
 */
parts: number, } | { "type": "by_amount", 
/**
 * 2 to 20 amounts.
 */
amounts: number[], } | { "type": "by_item", 
/**
 * 2 to 20.
 */
parts: number, 
/**
 * One entry per line that is not void.
 */
items: Array<ItemShareInput>, };

export type ItemShareInput = { 
/**
 * Line number.
 */
line: number, 
/**
 * One weight per part; 0 = not this part's. They add up to 1–20.
 */
weights: Array<number>, };

export type ProviderTender = "card" | "pay_by_bank";

export type SimOutcomeInput = "approve" | "decline" | "insufficient_funds" | "requires_action" | "timeout";

export type RefundLineInput = { 
/**
 * Line number.
 */
line: number, 
/**
 * How many of it.
 */
quantity: number, };

export type PutPrinter = { 
/**
 * The printer.
 */
printer: PrinterConfig, 
/**
 * A manager's PIN, when a cashier is logged in.
 */
approval?: ApprovalInput, };

export type PrinterRef = { 
/**
 * The printer's id.
 */
id: string, 
/**
 * A manager's PIN, when a cashier is logged in.
 */
approval?: ApprovalInput, };

export type PrinterChoice = { 
/**
 * The printer's id.
 */
id?: string, };

export type ReceiptRequest = { 
/**
 * The order (id, number alias, or the current one when left out).
 */
order?: string, 
/**
 * One part of a split bill.
 */
part?: number, 
/**
 * A refund's receipt instead (the refund's id).
 */
refund?: string, 
/**
 * Which receipt printer (the first one when left out).
 */
printer?: string, };

export type TicketPreview = { 
/**
 * The order (the current one when left out).
 */
order?: string, };

export type PrintJobs = { 
/**
 * How many, 1 to 200 (20 when left out).
 */
limit?: number, };

export type CancelPrint = { 
/**
 * The job's number.
 */
job: number, 
/**
 * A manager's PIN, when a cashier is logged in.
 */
approval?: ApprovalInput, };

export type OpenDrawer = { 
/**
 * Why (1 to 200 characters).
 */
reason: string, 
/**
 * A manager's PIN, when a cashier is logged in.
 */
approval?: ApprovalInput, };

export type PrinterConfig = { 
/**
 * Its id: 1 to 32 of a–z, 0–9, `-` and `_`.
 */
id: string, 
/**
 * Its name as staff see it.
 */
name: string, 
/**
 * How to reach it.
 */
transport: TransportConfig, 
/**
 * What it speaks.
 */
language: Language, 
/**
 * Characters per line: 32 or 42 (58 mm paper… 80 mm at a small font) or 48 (80 mm).
 */
width: number, 
/**
 * Its code page.
 */
code_page: CodePage, 
/**
 * How it cuts.
 */
cut: CutConfig, 
/**
 * The kitchen stations whose tickets it prints.
 */
stations: Array<string>, 
/**
 * It prints customer receipts (reprints, previews' Print).
 */
receipts: boolean, 
/**
 * …and prints one on its own when a sale completes.
 */
auto_print: boolean, 
/**
 * The cash drawer on its drawer port, if any: opened on cash sales and no-sales.
 */
drawer?: DrawerPinConfig, 
/**
 * Ask the printer whether it has paper and is online (`DLE EOT`) before each job; turn off for
 * printers that do not answer.
 */
status_check: boolean, 
/**
 * How QR codes are printed.
 */
qr: QrConfig, };

export type TransportConfig = { "type": "tcp", 
/**
 * Host name or IP address.
 */
host: string, 
/**
 * Port; 9100 when left out.
 */
port?: number, } | { "type": "system", 
/**
 * The queue's name.
 */
queue: string, } | { "type": "file", 
/**
 * The file's name (no folders).
 */
name: string, };

export type Language = "escpos" | "text";

export type CodePage = "pc858" | "wpc1252";

export type CutConfig = "partial" | "full" | "none";

export type DrawerPinConfig = "pin2" | "pin5";

export type QrConfig = "native" | "raster";

export type OpenSession = { 
/**
 * The float: how many of each note and coin, keyed by value in pence (`{"2000": 2, "100": 10}`).
 */
float: Record<string, number>, 
/**
 * The PIN of someone who may open a session, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type CashMovement = { 
/**
 * Pence, more than 0.
 */
amount: number, 
/**
 * Why (1 to 200 characters).
 */
reason: string, 
/**
 * The PIN of someone who may, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type CloseSession = { 
/**
 * The count, by denomination, keyed by value in pence.
 */
count: Record<string, number>, 
/**
 * Why the count differs from what was expected; required when it does.
 */
note?: string, 
/**
 * Close although orders are still open: they carry into the next session's report.
 */
carry_open_orders?: boolean, 
/**
 * Print the Z report on the receipt printer.
 */
print?: boolean, 
/**
 * The PIN of someone who may close a session, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type ReportAccess = { 
/**
 * The PIN of someone who may see reports, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type ZReportRef = { 
/**
 * The Z number; the newest when left out.
 */
number?: number, 
/**
 * The PIN of someone who may see reports, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type PrintReport = { 
/**
 * The Z number; the X report now when left out.
 */
number?: number, 
/**
 * The printer (the first receipt printer when left out).
 */
printer?: string, 
/**
 * The PIN of someone who may see reports, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type ExportReport = { 
/**
 * The Z number; the X report now when left out.
 */
number?: number, 
/**
 * `csv` (the default), `json`, or `daily` (the cloud's daily report shape).
 */
format?: ExportFormat, 
/**
 * The PIN of someone who may see reports, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type AuditQuery = { 
/**
 * At most this many (1–500, default 50).
 */
limit?: number, 
/**
 * Only actions starting with this (`drawer.`, `order.line_voided`…).
 */
action?: string, 
/**
 * The PIN of someone who may see reports, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type ExportFormat = "csv" | "json" | "daily";

export type Listing = { 
/**
 * At most this many (1–500, default 50).
 */
limit?: number, 
/**
 * The PIN of someone who may see reports, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type AddStaff = { 
/**
 * Their id: 1–64 letters, digits, `-`, `_` or `.`.
 */
id: string, 
/**
 * Their name (1–80 characters), shown on the till and receipts.
 */
name: string, 
/**
 * Their role: no higher than the role of whoever adds them.
 */
role: Role, 
/**
 * Their PIN: 4–6 digits, not one another member has.
 */
pin: string, 
/**
 * The PIN of someone who may edit staff, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type ChangeStaff = { 
/**
 * Who.
 */
id: string, 
/**
 * A new name.
 */
name?: string, 
/**
 * A new role (no higher than the editor's).
 */
role?: Role, 
/**
 * False deactivates them (they can no longer log in; their history stays); true brings them back.
 */
active?: boolean, 
/**
 * The PIN of someone who may edit staff, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type ChangePin = { 
/**
 * Their PIN now.
 */
old: string, 
/**
 * The new one: 4–6 digits, not one another member has.
 */
new: string, };

export type ResetPin = { 
/**
 * Whose.
 */
staff: string, 
/**
 * The new PIN.
 */
pin: string, 
/**
 * The PIN of someone who may edit staff, when the one logged in may not.
 */
approval?: ApprovalInput, };

export type Punch = { 
/**
 * Their PIN.
 */
pin: string, 
/**
 * Their staff id, to skip trying everyone's PIN.
 */
staff?: string, };

export type BreakPunch = { 
/**
 * Their PIN.
 */
pin: string, 
/**
 * Their staff id.
 */
staff?: string, 
/**
 * A paid break counts as time worked.
 */
paid: boolean, };

export type TimesheetRequest = { 
/**
 * A business date (`YYYY-MM-DD`) in the period.
 */
date?: string, 
/**
 * One member (their own needs no permission).
 */
staff?: string, 
/**
 * The PIN of someone who may see reports.
 */
approval?: ApprovalInput, };

export type AdjustShift = { 
/**
 * The shift to correct.
 */
shift?: number, 
/**
 * For a new shift: whose.
 */
staff?: string, 
/**
 * Clock-in (ms since the epoch).
 */
clock_in: number, 
/**
 * Clock-out (ms), or none to leave it open.
 */
clock_out?: number, 
/**
 * Why.
 */
reason: string, 
/**
 * The PIN of someone who may edit staff.
 */
approval?: ApprovalInput, };

export type TipsPeriod = { 
/**
 * A business date in the period (today's when left out).
 */
date?: string, 
/**
 * The PIN of someone who may see reports.
 */
approval?: ApprovalInput, };

export type RecordTips = { 
/**
 * A business date in the period.
 */
date?: string, 
/**
 * When it is paid out (`YYYY-MM-DD`).
 */
paid_on: string, 
/**
 * The PIN of someone who may edit staff.
 */
approval?: ApprovalInput, };

export type TipsQuery = { 
/**
 * Whose (their own needs no permission).
 */
staff?: string, 
/**
 * The PIN of someone who may see reports.
 */
approval?: ApprovalInput, };

export type ErrorCode = "invalid_input" | "not_logged_in" | "wrong_pin" | "locked_out" | "not_found" | "product_unavailable" | "modifier_rule" | "invalid_quantity" | "invalid_discount" | "reason_required" | "invalid_transition" | "order_closed" | "line_locked" | "order_empty" | "nothing_to_do" | "payment_rule" | "overflow" | "invalid_menu" | "conflict" | "storage" | "not_initialised" | "approval_required" | "split_rule" | "refund_rule" | "surcharge_banned" | "not_permitted" | "session_rule" | "time_clock_rule";

export type AppError = { 
/**
 * What went wrong, for code to match on.
 */
code: ErrorCode, 
/**
 * What went wrong, for a person to read.
 */
message: string, 
/**
 * For `locked_out`: how many seconds until PIN entry opens again.
 */
retry_after?: number, };

export type Amount = number;

export type Reply = { "type": "session" } & SessionView | { "type": "order" } & OrderView | { "type": "orders" } & OrdersView | { "type": "menu" } & MenuView | { "type": "history" } & HistoryView | { "type": "fee_quote" } & FeeQuoteView | { "type": "tip_options" } & TipOptionsView | { "type": "cash_quote" } & CashQuoteView | { "type": "line_quote" } & LineQuoteView | { "type": "discount_quote" } & DiscountQuoteView | { "type": "recovered" } & RecoveryView | { "type": "payment_page" } & PaymentPageView | { "type": "printers" } & PrintersView | { "type": "jobs" } & JobsView | { "type": "preview" } & PreviewView | { "type": "drawer" } & DrawerView | { "type": "report" } & ReportView | { "type": "reports" } & ReportsView | { "type": "export" } & ExportView | { "type": "audit" } & AuditView | { "type": "staff" } & StaffListView | { "type": "shifts" } & ShiftsView | { "type": "timesheet" } & TimesheetView | { "type": "tips" } & TipAllocationView | { "type": "tips_records" } & TipsRecordsView;

export type SessionView = { 
/**
 * The member of staff, if anyone is logged in.
 */
staff: StaffView | null, 
/**
 * The current order's id, if any.
 */
current_order: string | null, 
/**
 * Seconds until PIN entry opens again, while too many wrong PINs typed without a name keep it
 * locked (the login screen shows the countdown at once, even after a restart).
 */
pin_locked_for: number | null, 
/**
 * What the member logged in may do (their role's permissions); empty when no one is.
 */
permissions: Array<Permission>, 
/**
 * When the member logged in clocked in to a shift they never clocked out of (an earlier business
 * day's, or too long ago): the till asks them to clock out and a manager to correct it.
 */
forgotten_clock_out?: number, };

export type StaffView = { 
/**
 * Id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * What they may do.
 */
role: Role, };

export type DiscountView = { 
/**
 * Percent or fixed.
 */
kind: DiscountType, 
/**
 * The rate in basis points, for percent discounts.
 */
rate_bp: number | null, 
/**
 * The amount, for fixed discounts.
 */
amount: Amount | null, 
/**
 * Why.
 */
reason: string, };

export type DiscountType = "percent" | "fixed";

export type LineModifierView = { 
/**
 * Id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Price delta per unit.
 */
price_delta: Amount, };

export type VoidView = { 
/**
 * Why.
 */
reason: string, 
/**
 * Who.
 */
by: string, 
/**
 * When (ms since epoch).
 */
at: number, };

export type VariantChoiceView = { 
/**
 * Id.
 */
id: string, 
/**
 * Name.
 */
name: string, };

export type LineView = { 
/**
 * Line number.
 */
no: number, 
/**
 * Product id.
 */
product: string, 
/**
 * SKU.
 */
sku: string, 
/**
 * Product name.
 */
name: string, 
/**
 * Variant id and name.
 */
variant: VariantChoiceView | null, 
/**
 * Modifiers.
 */
modifiers: Array<LineModifierView>, 
/**
 * Quantity.
 */
quantity: number, 
/**
 * Unit price with modifiers.
 */
unit_price: Amount, 
/**
 * Kitchen note.
 */
note: string | null, 
/**
 * Course.
 */
course: Course | null, 
/**
 * Seat.
 */
seat: number | null, 
/**
 * VAT class on this order.
 */
vat_class: VatClass, 
/**
 * Kitchen station.
 */
station: string, 
/**
 * Line discount.
 */
discount: DiscountView | null, 
/**
 * A manager's price, replacing the menu's unit price.
 */
price_override: PriceOverrideView | null, 
/**
 * Sent to the kitchen.
 */
sent: boolean, 
/**
 * Set when void.
 */
void: VoidView | null, 
/**
 * Quantity × unit price (zero when void).
 */
gross: Amount, 
/**
 * Line discount amount.
 */
line_discount: Amount, 
/**
 * Share of the order discount.
 */
order_discount: Amount, 
/**
 * After both discounts.
 */
net: Amount, };

export type VatView = { 
/**
 * The VAT class.
 */
class: VatClass, 
/**
 * Rate in basis points.
 */
rate_bp: number, 
/**
 * VAT-inclusive amount at this rate.
 */
gross: Amount, 
/**
 * VAT.
 */
vat: Amount, 
/**
 * Gross less VAT.
 */
net: Amount, };

export type TotalsView = { 
/**
 * Sum of line grosses.
 */
subtotal: Amount, 
/**
 * Sum of line discounts.
 */
line_discounts: Amount, 
/**
 * The order discount.
 */
order_discount: Amount, 
/**
 * After all discounts.
 */
after_discounts: Amount, 
/**
 * Service charge.
 */
service_charge: Amount, 
/**
 * VAT by rate.
 */
vat: Array<VatView>, 
/**
 * Sum of VAT.
 */
vat_total: Amount, 
/**
 * What the guest owes (before tips).
 */
total: Amount, 
/**
 * Paid so far.
 */
paid: Amount, 
/**
 * Still due.
 */
balance: Amount, 
/**
 * What a new payment may settle now: the balance less what attempts waiting for their provider
 * hold. (On a split bill, each part says what is due on it.)
 */
due: Amount, };

export type ServiceChargeView = { 
/**
 * Rate in basis points.
 */
rate_bp: number, 
/**
 * Discretionary or compulsory.
 */
kind: ServiceChargeKind, 
/**
 * Is it charged on this order now?
 */
applies: boolean, 
/**
 * Why it was removed, if it was.
 */
removed_reason: string | null, };

export type PriceOverrideView = { 
/**
 * The unit price charged.
 */
unit_price: Amount, 
/**
 * Why.
 */
reason: string, 
/**
 * Who set it.
 */
by: string, 
/**
 * The manager who approved it.
 */
approved_by: string, };

export type PaymentView = { 
/**
 * Id.
 */
id: string, 
/**
 * Cash, card or pay-by-bank.
 */
tender: Tender, 
/**
 * Its state: only succeeded counts.
 */
status: PaymentStatus, 
/**
 * Applied to the bill.
 */
amount: Amount, 
/**
 * The tip on top.
 */
tip: Amount, 
/**
 * The fee passed to the guest (never in GBP).
 */
surcharge: Amount, 
/**
 * Handed over (cash) or charged (amount + tip + surcharge).
 */
tendered: Amount, 
/**
 * Change given.
 */
change: Amount, 
/**
 * What it cost the restaurant (processing + platform), once succeeded.
 */
fee: Amount, 
/**
 * The part of the split bill it pays.
 */
part: number | null, 
/**
 * The provider's id.
 */
provider_ref: string | null, 
/**
 * Why it failed, or what the provider waits for.
 */
note: string | null, 
/**
 * What can still be refunded on it.
 */
refundable: Amount, 
/**
 * Who took it.
 */
staff: string, 
/**
 * When (ms since epoch).
 */
at: number, };

export type RefundView = { 
/**
 * Id.
 */
id: string, 
/**
 * The payment refunded.
 */
payment: string, 
/**
 * Its tender.
 */
tender: Tender, 
/**
 * Pending, succeeded or failed.
 */
status: PaymentStatus, 
/**
 * How much.
 */
amount: Amount, 
/**
 * Lines given back (line number and quantity).
 */
lines: Array<RefundLineView>, 
/**
 * Why.
 */
reason: string, 
/**
 * Who.
 */
staff: string, 
/**
 * The manager who approved it.
 */
approved_by: string, 
/**
 * When (ms since epoch).
 */
at: number, };

export type RefundLineView = { 
/**
 * Line number.
 */
line: number, 
/**
 * How many.
 */
quantity: number, 
/**
 * Its amount.
 */
amount: Amount, };

export type GratuityView = { 
/**
 * Staff id.
 */
staff: string, 
/**
 * Share of tips.
 */
tips: Amount, 
/**
 * Share of service charge.
 */
service_charge: Amount, };

export type SplitView = { 
/**
 * How it was split.
 */
method: SplitMethod, 
/**
 * Already paid when the split was made.
 */
settled: Amount, 
/**
 * The parts.
 */
parts: Array<PartView>, };

export type SplitMethod = "even" | "by_amount" | "by_item";

export type PartView = { 
/**
 * 1, 2, 3…
 */
no: number, 
/**
 * Its share of each line.
 */
lines: Array<PartLineView>, 
/**
 * Before discounts.
 */
gross: Amount, 
/**
 * Its share of discounts.
 */
discount: Amount, 
/**
 * Its share of service charge.
 */
service_charge: Amount, 
/**
 * Its share of VAT by rate.
 */
vat: Array<VatView>, 
/**
 * What it owes.
 */
total: Amount, 
/**
 * Paid on it.
 */
paid: Amount, 
/**
 * Held by attempts in progress on it.
 */
in_flight: Amount, 
/**
 * Still due on it.
 */
due: Amount, 
/**
 * Tips on it.
 */
tips: Amount, };

export type PartLineView = { 
/**
 * Line number.
 */
line: number, 
/**
 * This part's weight of it…
 */
weight: number, 
/**
 * …out of this.
 */
of: number, 
/**
 * Before discounts.
 */
gross: Amount, 
/**
 * Its share of the line's own discount.
 */
line_discount: Amount, 
/**
 * Its share of the order discount carried by the line.
 */
order_discount: Amount, 
/**
 * Both discounts.
 */
discount: Amount, 
/**
 * After discounts.
 */
net: Amount, 
/**
 * Service charge share.
 */
service_charge: Amount, };

export type PaymentPageView = { 
/**
 * The payment attempt.
 */
payment: string, 
/**
 * The hosted page's address (what the QR code holds).
 */
url: string, 
/**
 * The QR code: an SVG with a `viewBox` and no fixed size, made only of numbers (safe to put in
 * the page as it is).
 */
svg: string, 
/**
 * What the customer is asked to pay (bill, tip and any surcharge).
 */
amount: Amount, 
/**
 * ISO currency code.
 */
currency: string, 
/**
 * When the page stops being payable (ms since the epoch, the provider's clock), if the provider
 * says.
 */
expires_at: number | null, };

export type FeeQuoteView = { 
/**
 * The charge.
 */
amount: Amount, 
/**
 * One row per method.
 */
methods: Array<FeeRowView>, 
/**
 * Card fee less pay-by-bank fee.
 */
pay_by_bank_saves: Amount, 
/**
 * The guest pays the fee (never for GBP).
 */
customer_pays_fee: boolean, };

export type FeeRowView = { 
/**
 * The method.
 */
tender: Tender, 
/**
 * The processor's part.
 */
processing: Amount, 
/**
 * The platform's part.
 */
platform: Amount, 
/**
 * Both.
 */
total: Amount, };

export type TipOptionsView = { 
/**
 * Tips are offered at all.
 */
enabled: boolean, 
/**
 * A custom percentage or amount may be given.
 */
custom: boolean, 
/**
 * The payment the tip goes on: the bill's or part's balance, or the amount asked about.
 */
amount: Amount, 
/**
 * What a percentage is taken of for this payment.
 */
base: Amount, 
/**
 * One button per preset.
 */
presets: Array<TipPresetView>, 
/**
 * The tip the custom choice asked about would add, if one was.
 */
custom_tip: Amount | null, };

export type CashQuoteView = { 
/**
 * What is due on the order or part.
 */
due: Amount, 
/**
 * What the cash would settle of it.
 */
amount: Amount, 
/**
 * The tip kept from it.
 */
tip: Amount, 
/**
 * What would go back to the guest.
 */
change: Amount, };

export type PrintersView = { 
/**
 * Every printer, in the order they were added.
 */
printers: Array<PrinterView>, 
/**
 * Jobs still waiting, oldest first.
 */
waiting: Array<JobView>, };

export type PrinterView = { 
/**
 * Its set-up.
 */
config: PrinterConfig, 
/**
 * Jobs waiting for it.
 */
waiting: number, 
/**
 * The error of its oldest waiting job, if that job has failed a try (paper out, offline…).
 */
problem?: string, };

export type JobsView = { 
/**
 * The jobs.
 */
jobs: Array<JobView>, };

export type JobView = { 
/**
 * Its number.
 */
id: number, 
/**
 * The printer's id.
 */
printer: string, 
/**
 * What it prints: `receipt`, `refund_receipt`, `kitchen`, `void`, `test_page`, `drawer`.
 */
what: string, 
/**
 * The order it prints, if any.
 */
order?: string, 
/**
 * The station of a kitchen or VOID ticket.
 */
station?: string, 
/**
 * Marked DUPLICATE.
 */
duplicate: boolean, 
/**
 * Where it stands.
 */
state: JobStateView, 
/**
 * Tries so far.
 */
attempts: number, 
/**
 * The last error.
 */
last_error?: string, 
/**
 * Will print (or printed) under the REPRINT banner.
 */
reprint: boolean, 
/**
 * When it was made (ms since the epoch).
 */
created_at: number, };

export type JobStateView = "pending" | "sending" | "uncertain" | "done" | "failed" | "cancelled";

export type PreviewView = { 
/**
 * The documents.
 */
documents: Array<PreviewDocView>, };

export type PreviewDocView = { 
/**
 * What it is ("Receipt", "Kitchen ticket: grill").
 */
title: string, 
/**
 * The printers it would go to.
 */
printers: Array<string>, 
/**
 * Characters per line.
 */
width: number, 
/**
 * The text.
 */
text: string, };

export type TipPresetView = { 
/**
 * The rate in basis points (1000 = 10 %).
 */
rate_bp: number, 
/**
 * What it adds.
 */
tip: Amount, };

export type RecoveryView = { 
/**
 * One row per attempt looked at.
 */
attempts: Array<RecoveredView>, };

export type RecoveredView = { 
/**
 * The order.
 */
order: string, 
/**
 * The payment or refund id.
 */
id: string, 
/**
 * A payment or a refund.
 */
kind: AttemptKind, 
/**
 * Its state now.
 */
status: PaymentStatus, 
/**
 * What was found.
 */
note: string, };

export type AttemptKind = "payment" | "refund";

export type OrderView = { 
/**
 * Id (`UUIDv7`).
 */
id: string, 
/**
 * Alias given in this session, if any.
 */
alias: string | null, 
/**
 * Number for the day on this device.
 */
number: number, 
/**
 * Business day.
 */
business_date: string, 
/**
 * Where it is in its life.
 */
state: OrderState, 
/**
 * Dine-in or takeaway.
 */
kind: OrderType, 
/**
 * Table, for dine-in.
 */
table: string | null, 
/**
 * Covers, for dine-in.
 */
covers: number | null, 
/**
 * Parked.
 */
parked: boolean, 
/**
 * ISO currency code.
 */
currency: string, 
/**
 * Lines, voided ones included.
 */
lines: Array<LineView>, 
/**
 * Order discount.
 */
discount: DiscountView | null, 
/**
 * Service charge.
 */
service_charge: ServiceChargeView, 
/**
 * Totals.
 */
totals: TotalsView, 
/**
 * Payment attempts, failed ones included.
 */
payments: Array<PaymentView>, 
/**
 * Refunds.
 */
refunds: Array<RefundView>, 
/**
 * Where its money stands.
 */
payment_state: PaymentState, 
/**
 * Tips on succeeded payments.
 */
tips: Amount, 
/**
 * Refunded so far.
 */
refunded: Amount, 
/**
 * Held by attempts waiting for their provider.
 */
in_flight: Amount, 
/**
 * The split bill, if split.
 */
split: SplitView | null, 
/**
 * Who served it (they share tips and service charge).
 */
servers: Array<GratuityView>, 
/**
 * Who opened it.
 */
opened_by: string, 
/**
 * When (ms since epoch).
 */
opened_at: number, 
/**
 * Last change (ms since epoch).
 */
updated_at: number, 
/**
 * Number of recorded changes.
 */
version: number, 
/**
 * Why it was cancelled.
 */
cancel_reason: string | null, 
/**
 * True when every change to this order is saved in the database. Edits to an order being built are
 * saved together at the next payment, kitchen send, park, switch of order or logout.
 */
saved: boolean, 
/**
 * The till that owns it (its device id).
 */
till: string, 
/**
 * Owned by another till: this till shows it as the cloud last sent it, and it is changed there.
 */
remote: boolean, };

export type LineQuoteView = { 
/**
 * Product id.
 */
product: string, 
/**
 * Product name.
 */
name: string, 
/**
 * Unit price with the variant and modifiers.
 */
unit_price: Amount, 
/**
 * How many.
 */
quantity: number, 
/**
 * Quantity × unit price.
 */
gross: Amount, };

export type DiscountQuoteView = { 
/**
 * What it applies to: the line's gross, or the lines after their own discounts.
 */
base: Amount, 
/**
 * What it would take off.
 */
amount: Amount, 
/**
 * Giving it would need a manager's approval.
 */
needs_approval: boolean, };

export type OrderType = "dine_in" | "takeaway";

export type OrdersView = { 
/**
 * Oldest first.
 */
orders: Array<OrderView>, };

export type HistoryEntryView = { 
/**
 * The order's version after it.
 */
version: number, 
/**
 * The event's type (e.g. `order.line_added`).
 */
op_type: string, 
/**
 * The event as recorded.
 */
event: unknown, 
/**
 * Who.
 */
staff: string, 
/**
 * When (ms since epoch).
 */
at: number, };

export type HistoryView = { 
/**
 * The order.
 */
order: string, 
/**
 * Oldest first.
 */
entries: Array<HistoryEntryView>, };

export type MenuView = { 
/**
 * Restaurant name.
 */
restaurant: string, 
/**
 * Address lines.
 */
address: Array<string>, 
/**
 * VAT number.
 */
vat_number: string, 
/**
 * ISO currency code.
 */
currency: string, 
/**
 * Menu version.
 */
version: number, 
/**
 * Tip settings for the tip prompt.
 */
tips: TipsView, 
/**
 * A discount above this (basis points of what it applies to) needs a manager.
 */
discount_approval_over_bp: number, 
/**
 * Removing the service charge needs a manager.
 */
service_charge_removal_needs_approval: boolean, 
/**
 * Categories in order.
 */
categories: Array<CategoryView>, 
/**
 * Modifier groups.
 */
modifier_groups: Array<ModifierGroupView>, 
/**
 * Products in order.
 */
products: Array<ProductView>, };

export type TipsView = { 
/**
 * Offer tips.
 */
enabled: boolean, 
/**
 * Preset percentages in basis points.
 */
presets_bp: Array<number>, 
/**
 * Custom percentage or amount allowed.
 */
custom: boolean, 
/**
 * What a percentage tip is taken of.
 */
base: TipBase, };

export type CategoryView = { 
/**
 * Id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * `#RRGGBB`.
 */
colour: string, };

export type ProductView = { 
/**
 * Id.
 */
id: string, 
/**
 * SKU.
 */
sku: string, 
/**
 * Name.
 */
name: string, 
/**
 * Category id.
 */
category: string, 
/**
 * VAT-inclusive price (for products with variants, the lowest variant price).
 */
price: Amount, 
/**
 * VAT class eaten in.
 */
vat_eat_in: VatClass, 
/**
 * VAT class taken away.
 */
vat_takeaway: VatClass, 
/**
 * Barcode.
 */
barcode: string | null, 
/**
 * Kitchen station.
 */
station: string, 
/**
 * Can be sold.
 */
available: boolean, 
/**
 * Allergens.
 */
allergens: Array<Allergen>, 
/**
 * `#RRGGBB`.
 */
colour: string, 
/**
 * Variants.
 */
variants: Array<VariantView>, 
/**
 * Modifier group ids.
 */
modifier_groups: Array<string>, };

export type VariantView = { 
/**
 * Id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * VAT-inclusive price.
 */
price: Amount, };

export type ModifierGroupView = { 
/**
 * Id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Fewest choices.
 */
min: number, 
/**
 * Most choices.
 */
max: number, 
/**
 * Choices.
 */
modifiers: Array<ModifierView>, };

export type ModifierView = { 
/**
 * Id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Price delta.
 */
price_delta: Amount, 
/**
 * Can be chosen.
 */
available: boolean, };

export type DrawerView = { 
/**
 * The open session.
 */
session?: SessionInfoView, 
/**
 * Its cash: float, taken, refunded, paid in and out, expected.
 */
cash?: CashFigures, 
/**
 * Its pay-ins, pay-outs and no-sales, oldest first.
 */
movements: Array<MovementView>, };

export type SessionInfoView = { 
/**
 * 1, 2, 3… on this till.
 */
number: number, 
/**
 * The business day it opened on.
 */
business_date: string, 
/**
 * When it opened (ms).
 */
opened_at: number, 
/**
 * Who opened it.
 */
opened_by: string, 
/**
 * The float's count.
 */
float_count: Record<string, number>, 
/**
 * When it closed (ms), once it has.
 */
closed_at?: number, 
/**
 * Its Z number, once closed.
 */
z_number?: number, };

export type MovementView = { 
/**
 * What kind.
 */
kind: MovementKind, 
/**
 * How much.
 */
amount: Amount, 
/**
 * Why.
 */
reason: string, 
/**
 * Who.
 */
staff: string, 
/**
 * Who approved it, when someone else did.
 */
approved_by?: string, 
/**
 * When (ms).
 */
at: number, };

export type ReportView = { 
/**
 * The report.
 */
report: Report, 
/**
 * Whether it was printed (a print job was queued).
 */
printed: boolean, };

export type ReportsView = { 
/**
 * The reports, as stored.
 */
reports: Array<Report>, };

export type ExportView = { 
/**
 * A file name for it (`z-report-12.csv`).
 */
filename: string, 
/**
 * Its media type.
 */
mime: string, 
/**
 * The file's text.
 */
content: string, };

export type AuditView = { 
/**
 * Newest first.
 */
entries: Array<AuditEntryView>, 
/**
 * Entries in the chain.
 */
total: number, 
/**
 * The chain's head (the last entry's hash).
 */
head: string, 
/**
 * Problems found; empty when the chain is whole.
 */
problems: Array<AuditProblemView>, };

export type AuditEntryView = { 
/**
 * Its place in the chain.
 */
no: number, 
/**
 * When (ms).
 */
at: number, 
/**
 * Who.
 */
staff: string, 
/**
 * What.
 */
action: string, 
/**
 * The details, as JSON text.
 */
detail: string, 
/**
 * Its hash.
 */
hash: string, };

export type AuditProblemView = { 
/**
 * The entry where it shows.
 */
no: number, 
/**
 * `edited`, `removed`, `reordered` or `missing`.
 */
kind: string, 
/**
 * What was found.
 */
message: string, };

export type StaffListView = { 
/**
 * By name.
 */
staff: Array<StaffMemberView>, 
/**
 * Whether the one logged in may edit staff.
 */
can_edit: boolean, };

export type StaffMemberView = { 
/**
 * Id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Role.
 */
role: Role, 
/**
 * Whether they may log in.
 */
active: boolean, 
/**
 * Clocked in now, since (ms).
 */
on_shift_since?: number, };

export type ShiftView = { 
/**
 * Its id.
 */
id: number, 
/**
 * Who.
 */
staff: string, 
/**
 * Their name.
 */
name: string, 
/**
 * The business day it counts on.
 */
business_date: string, 
/**
 * Clock-in (ms).
 */
clock_in: number, 
/**
 * Clock-out (ms), once out.
 */
clock_out?: number, 
/**
 * On a break now.
 */
on_break: boolean, 
/**
 * Minutes worked so far (unpaid breaks left out).
 */
minutes: number, 
/**
 * Its breaks.
 */
breaks: Array<Break>, };

export type ShiftsView = { 
/**
 * The shifts.
 */
shifts: Array<ShiftView>, };

export type TimesheetView = { 
/**
 * The period's first business day.
 */
from: string, 
/**
 * Its last.
 */
to: string, 
/**
 * The overtime threshold.
 */
overtime_after_hours: number, 
/**
 * By member.
 */
rows: Array<TimesheetRow>, 
/**
 * The shifts.
 */
shifts: Array<ShiftView>, };

export type TipShareView = { 
/**
 * Who.
 */
staff: string, 
/**
 * Their name.
 */
name: string, 
/**
 * Minutes worked in the period.
 */
minutes: number, 
/**
 * Tips.
 */
tips: Amount, 
/**
 * Service charge.
 */
service_charge: Amount, };

export type TipAllocationView = { 
/**
 * The period's first business day (empty for the policy alone).
 */
from: string, 
/**
 * Its last.
 */
to: string, 
/**
 * The allocation rule.
 */
rule: TipRule, 
/**
 * The written tipping policy.
 */
policy: string, 
/**
 * Each worker's share.
 */
shares: Array<TipShareView>, };

export type TipRecordView = { 
/**
 * The period's first business day.
 */
period_from: string, 
/**
 * Its last.
 */
period_to: string, 
/**
 * Who.
 */
staff: string, 
/**
 * Their name.
 */
name: string, 
/**
 * Tips.
 */
tips: Amount, 
/**
 * Service charge.
 */
service_charge: Amount, 
/**
 * Minutes worked.
 */
minutes: number, 
/**
 * The rule used.
 */
rule: string, 
/**
 * When it was paid out.
 */
paid_on: string, };

export type TipsRecordsView = { 
/**
 * The records.
 */
records: Array<TipRecordView>, };

export type OrderState = "pending" | "confirmed" | "preparing" | "ready" | "served" | "completed" | "cancelled";

export type Course = "starter" | "main" | "dessert";

export type Tender = "cash" | "card" | "pay_by_bank";

export type PaymentStatus = "pending" | "authorized" | "succeeded" | "failed" | "cancelled";

export type PaymentState = "unpaid" | "partly_paid" | "paid" | "partly_refunded" | "refunded";

export type VatClass = "standard" | "reduced" | "zero";

export type Allergen = "celery" | "gluten" | "crustaceans" | "eggs" | "fish" | "lupin" | "milk" | "molluscs" | "mustard" | "tree_nuts" | "peanuts" | "sesame" | "soya" | "sulphites";

export type Role = "cashier" | "supervisor" | "manager" | "owner";

export type ServiceChargeKind = "discretionary" | "compulsory";

export type TipBase = "after_discounts" | "before_discounts";

export type Permission = "void" | "refund" | "discount" | "override_price" | "no_sale" | "pay_in_out" | "close_session" | "see_reports" | "settings" | "edit_staff";

export type MovementKind = "pay_in" | "pay_out" | "no_sale";

export type CashFigures = { 
/**
 * The opening float.
 */
float: Minor, 
/**
 * Cash taken: handed over less change (bill shares and tips kept).
 */
sales: Minor, 
/**
 * Cash given back as refunds.
 */
refunds: Minor, 
/**
 * Cash put in.
 */
pay_ins: Minor, 
/**
 * Cash taken out.
 */
pay_outs: Minor, 
/**
 * How many times the drawer was opened without a sale.
 */
no_sales: number, 
/**
 * What should be in the drawer.
 */
expected: Minor, 
/**
 * What was counted at the close.
 */
counted: Minor | null, 
/**
 * Counted less expected: over when positive, short when negative.
 */
over_short: Minor | null, 
/**
 * Cash taken less cash refunded since the last Z but before this session opened: it is in the
 * report's cash tender but in no drawer's count, so a manager sees it here.
 */
outside_session: Minor, };

export type Report = { 
/**
 * X or Z.
 */
kind: ReportKind, 
/**
 * The Z number (sequential on the till), for a Z.
 */
z_number: number | null, 
/**
 * The drawer session's number.
 */
session: number, 
/**
 * The business date the session opened on.
 */
business_date: BusinessDate, 
/**
 * The window of sales: since the last Z report.
 */
window: Window, 
/**
 * Orders still open at a Z, carried into the next session (`#12 (2026-11-22)`).
 */
carried: Array<string>, 
/**
 * Who opened the session, and who ran the report.
 */
opened_by: string, 
/**
 * Who ran (X) or closed (Z).
 */
by: string, 
/**
 * The note left at the close (over/short explained).
 */
note: string | null, 
/**
 * The figures.
 */
figures: Figures, };

export type ReportKind = "x" | "z";

export type Window = { 
/**
 * Start, included.
 */
from: Timestamp, 
/**
 * End, excluded.
 */
to: Timestamp, };

export type Figures = { 
/**
 * Lines' value before discounts, VAT included, of orders completed.
 */
gross_sales: Minor, 
/**
 * Line and order discounts.
 */
discounts: Minor, 
/**
 * Refunds that succeeded.
 */
refunds: Tally, 
/**
 * The service charge's share of those refunds.
 */
refunds_service_charge: Minor, 
/**
 * Gross sales − discounts − refunds (less their service charge share): goods, VAT included.
 */
net_sales: Minor, 
/**
 * Service charge on orders completed.
 */
service_charge: Minor, 
/**
 * What orders completed were charged (after discounts, with service charge).
 */
total: Minor, 
/**
 * Orders completed.
 */
orders: number, 
/**
 * Guests at tables on orders completed.
 */
covers: number, 
/**
 * `total ÷ orders`, rounded half up.
 */
average_spend: Minor, 
/**
 * Orders cancelled.
 */
cancelled: number, 
/**
 * Lines voided.
 */
voids: Tally, 
/**
 * By tender.
 */
tenders: Array<TenderTotal>, 
/**
 * By VAT rate.
 */
vat: Array<VatRow>, 
/**
 * The VAT in total.
 */
vat_total: Minor, 
/**
 * Tips on payments that succeeded.
 */
tips: Minor, 
/**
 * Tips and service charge by member of staff.
 */
gratuity: Array<StaffGratuity>, 
/**
 * Fees on payments that succeeded.
 */
fees: Minor, 
/**
 * The ten best-selling items by value.
 */
top_items: Array<ItemSales>, 
/**
 * Sales by local hour (hours with none left out).
 */
by_hour: Array<HourSales>, 
/**
 * The drawer.
 */
cash: CashFigures, };

export type TenderTotal = { 
/**
 * Cash, card or pay-by-bank.
 */
tender: Tender, 
/**
 * Payments that succeeded.
 */
count: number, 
/**
 * Their share of bills.
 */
amount: Minor, 
/**
 * Tips on them.
 */
tips: Minor, 
/**
 * What the restaurant pays for them.
 */
fees: Minor, 
/**
 * Refunds to this tender that succeeded.
 */
refunds: Minor, };

export type VatRow = { 
/**
 * The rate (20 % is 2000).
 */
rate: BasisPoints, 
/**
 * Ex VAT.
 */
net: Minor, 
/**
 * The VAT.
 */
vat: Minor, 
/**
 * VAT included.
 */
gross: Minor, };

export type StaffGratuity = { 
/**
 * Who.
 */
staff: StaffId, 
/**
 * Their name.
 */
name: string, 
/**
 * Their share of tips.
 */
tips: Minor, 
/**
 * Their share of the service charge.
 */
service_charge: Minor, };

export type ItemSales = { 
/**
 * The line's name as sold.
 */
name: string, 
/**
 * How many.
 */
quantity: number, 
/**
 * Their value before discounts.
 */
gross: Minor, };

export type HourSales = { 
/**
 * 0–23, local time.
 */
hour: number, 
/**
 * Orders completed.
 */
orders: number, 
/**
 * What they were charged.
 */
total: Minor, };

export type Tally = { 
/**
 * How many.
 */
count: number, 
/**
 * Worth.
 */
amount: Minor, };

export type Break = { 
/**
 * When it started.
 */
start: Timestamp, 
/**
 * When it ended (none while on it).
 */
end: Timestamp | null, 
/**
 * Paid breaks count as time worked.
 */
paid: boolean, };

export type TimesheetRow = { 
/**
 * Who.
 */
staff: StaffId, 
/**
 * Their name.
 */
name: string, 
/**
 * Shifts in the period.
 */
shifts: number, 
/**
 * Minutes worked (unpaid breaks left out).
 */
minutes: number, 
/**
 * Minutes of paid breaks (counted in `minutes`).
 */
paid_break_minutes: number, 
/**
 * Minutes of unpaid breaks.
 */
unpaid_break_minutes: number, 
/**
 * Minutes beyond the overtime threshold.
 */
overtime_minutes: number, 
/**
 * Shifts still open.
 */
open: number, };

export type TipRule = "server" | "equal" | "hours" | "points";

export type Minor = number;

export type BasisPoints = number;

export type Timestamp = number;

export type BusinessDate = string;

export type StaffId = string;
