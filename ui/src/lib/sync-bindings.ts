// Generated from the Rust types of the sync by `fynlo gen-ts` (crates/sync/src/api.rs).
// Do not edit: change the Rust types and regenerate.

import type { ApprovalInput } from './bindings';

export type SyncRequest = { "op": "status" } | { "op": "sync_now" } | { "op": "pair", 
/**
 * The cloud's address (`https://…`).
 */
cloud_url: string, 
/**
 * The code.
 */
code: string, 
/**
 * What to call this till.
 */
name: string, } | { "op": "unpair", 
/**
 * A manager's PIN, when a manager is not the one logged in.
 */
approval?: ApprovalInput, } | { "op": "notes", 
/**
 * At most this many (1–500, 100 by default).
 */
limit?: number, } | { "op": "flagged" };

export type SyncReply = { "type": "status" } & SyncStatus | { "type": "notes", 
/**
 * Newest first.
 */
notes: Array<SyncNoteView>, } | { "type": "flagged", 
/**
 * Newest first.
 */
payments: Array<FlaggedPaymentView>, };

export type SyncNoteView = { 
/**
 * The op's sequence number.
 */
seq: number, 
/**
 * What kind of op (`order.saved`…).
 */
op_type: string, 
/**
 * `rejected` (kept here, not applied) or `partial` (its payments applied, the rest not).
 */
outcome: string, 
/**
 * The cloud's error code.
 */
code: string, 
/**
 * The cloud's reason.
 */
message: string, 
/**
 * When the answer came (ms since the epoch).
 */
at: number, };

export type FlaggedPaymentView = { 
/**
 * The till's payment attempt key.
 */
attempt_id: string, 
/**
 * In pence.
 */
amount: number, 
/**
 * `GBP`.
 */
currency: string, 
/**
 * Why it failed (`returned`, or the provider's reason).
 */
failure: string | null, 
/**
 * When the customer was asked (ms since the epoch).
 */
paid_at: number, 
/**
 * When it failed (ms since the epoch).
 */
failed_at: number, };

export type SyncErrorBody = { 
/**
 * For code.
 */
code: SyncCode, 
/**
 * For people.
 */
message: string, };

export type SyncCode = "offline" | "not_paired" | "revoked" | "invalid_input" | "refused" | "protocol" | "not_permitted" | "keychain" | "storage";

export type SyncStatus = { 
/**
 * Online, offline, unpaired or revoked.
 */
mode: SyncMode, 
/**
 * This till's device id.
 */
device_id: string, 
/**
 * The cloud's address, when paired.
 */
cloud_url: string | null, 
/**
 * The restaurant, when paired.
 */
restaurant_id: string | null, 
/**
 * The till's name in the cloud.
 */
device_name: string | null, 
/**
 * Whether the WebSocket to the hub is up.
 */
live: boolean, 
/**
 * Ops written and not yet answered by the cloud.
 */
waiting: number, 
/**
 * Ops the cloud did not apply whole (see the sync screen).
 */
notes: number, 
/**
 * When a push or pull last worked (ms since the epoch).
 */
last_sync_at: number | null, 
/**
 * Why the last round failed.
 */
last_error: string | null, 
/**
 * Changes from the cloud applied since the till started: when it moves, lists of orders are
 * out of date (other tills' orders changed, or a pay-by-bank payment of this till's was
 * recorded from the cloud's notice).
 */
changes_applied: number, };

export type SyncMode = "unpaired" | "revoked" | "online" | "offline";
