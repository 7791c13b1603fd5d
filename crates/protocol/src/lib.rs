//! The sync protocol between a till and the cloud (SPEC §8–9): the wire types both sides share, and the
//! checks every message must pass before either side acts on it. No I/O: the server (`fynlo-cloud`) and
//! the till's sync client put these on HTTP and WebSocket.
//!
//! - **Push** (`POST /api/v1/sync/push`): a batch of a device's [`Op`]s, in sequence order with no gaps
//!   ([`PushRequest::check`]). The server applies each exactly once and answers with an [`Ack`] per op:
//!   applied, a duplicate of one applied before (with the same answer as then), or rejected with its error.
//! - **Pull** (`GET /api/v1/sync/pull?cursor=…`): the restaurant's [`Change`]s after an opaque cursor, a
//!   page at a time ([`PullPage`]).
//! - **Live events** over the WebSocket: the client's messages ([`ClientMessage`]: authenticate first,
//!   then resume from a sequence, heartbeats) and the server's ([`ServerMessage`]).
//! - **Errors** are `{code, message}` ([`ErrorBody`]), like the till's own.
//! - **Pay by bank** ([`payments`]): the payment sessions a till asks the cloud for.

pub mod payments;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The most ops one push may carry.
pub const MAX_BATCH: usize = 500;
/// The most bytes one op's payload may take, as JSON.
pub const MAX_OP_BYTES: usize = 256 * 1024;
/// The most changes one pull page holds.
pub const MAX_PAGE: usize = 1_000;

/// One change a till made, as its journal holds it: the outbox op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op {
    /// The device's sequence number: 1, 2, 3… with no gaps.
    pub seq: u64,
    /// The op's own id (a UUID), so applying it twice is recognised.
    pub op_id: Uuid,
    /// The device that made it.
    pub device_id: Uuid,
    /// What kind of change: `area.verb` (`order.saved`, `drawer.session_closed`, `staff.updated`…).
    pub op_type: String,
    /// The change, as JSON.
    pub payload: serde_json::Value,
    /// When, in milliseconds since the epoch.
    pub created_at: i64,
}

impl Op {
    /// Checks one op's shape: a sequence from 1, an `area.verb` type of lowercase letters and
    /// underscores (at most 64 characters), a payload of at most [`MAX_OP_BYTES`].
    pub fn check(&self) -> Result<(), ProtocolError> {
        if self.seq == 0 {
            return Err(ProtocolError::Invalid(format!(
                "op {}: sequence numbers start at 1",
                self.op_id
            )));
        }
        let well_formed = self.op_type.len() <= 64
            && self.op_type.split_once('.').is_some_and(|(area, verb)| {
                let word = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                word(area) && word(verb)
            });
        if !well_formed {
            return Err(ProtocolError::Invalid(format!(
                "op {}: {:?} is not an op type (area.verb, lowercase)",
                self.seq, self.op_type
            )));
        }
        let size = serde_json::to_vec(&self.payload).map_or(usize::MAX, |bytes| bytes.len());
        if size > MAX_OP_BYTES {
            return Err(ProtocolError::TooLarge(format!(
                "op {}: its payload is {size} bytes; at most {MAX_OP_BYTES}",
                self.seq
            )));
        }
        Ok(())
    }
}

/// A batch of one device's ops.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The ops, in sequence order.
    pub ops: Vec<Op>,
}

impl PushRequest {
    /// Checks the batch: 1 to [`MAX_BATCH`] ops, each well formed, all of one device, their sequence
    /// numbers consecutive (a gap inside a batch is refused whole). Whether the first follows what the
    /// server applied before is the server's to check.
    pub fn check(&self) -> Result<(), ProtocolError> {
        let Some(first) = self.ops.first() else {
            return Err(ProtocolError::Invalid("a push holds at least one op".into()));
        };
        if self.ops.len() > MAX_BATCH {
            return Err(ProtocolError::TooLarge(format!(
                "a push holds at most {MAX_BATCH} ops, not {}",
                self.ops.len()
            )));
        }
        for (i, op) in self.ops.iter().enumerate() {
            op.check()?;
            if op.device_id != first.device_id {
                return Err(ProtocolError::Invalid("a push holds the ops of one device".into()));
            }
            let expected = first.seq.checked_add(i as u64);
            if Some(op.seq) != expected {
                return Err(ProtocolError::Gap {
                    expected: expected.unwrap_or(u64::MAX),
                    found: op.seq,
                });
            }
        }
        Ok(())
    }
}

/// What became of one pushed op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SyncOutcome"))]
pub enum Outcome {
    /// Applied now.
    Applied,
    /// Applied before: the op was sent again (the answer is the one stored then).
    Duplicate,
    /// Applied in part: the payments in it always, other changes where they did not conflict with
    /// another till's (SPEC §8). The till takes the cloud's copy of the order and shows what was not.
    Partial {
        /// Why the rest was not (`conflict`).
        code: ErrorCode,
        /// What was not applied, and why.
        message: String,
    },
    /// Refused for good; the till keeps it and shows why.
    Rejected {
        /// Why, for code.
        code: ErrorCode,
        /// Why, for people.
        message: String,
    },
}

/// The answer for one op. (Its outcome's fields sit beside `seq` and `op_id`, so serde cannot refuse
/// unknown fields here: a flattened enum and `deny_unknown_fields` do not go together.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SyncAck"))]
pub struct Ack {
    /// The op's sequence number.
    pub seq: u64,
    /// The op's id.
    pub op_id: Uuid,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The answer to a push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    /// One per op pushed, in order.
    pub acks: Vec<Ack>,
    /// The device's last sequence number the server has (applied or rejected): the till's cursor.
    pub through: u64,
}

/// What kind of thing a pulled change is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SyncChangeKind"))]
pub enum ChangeKind {
    /// A menu version.
    Menu,
    /// The restaurant's settings.
    Settings,
    /// A member of staff (with their PIN hash).
    Staff,
    /// An order saved on another till.
    Order,
    /// A payment or refund on another till.
    Payment,
}

/// One change of the restaurant's, for the tills to pull.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// What kind.
    pub kind: ChangeKind,
    /// The device that made it (none for the cloud's own: menus and settings published there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<Uuid>,
    /// The change, as JSON.
    pub payload: serde_json::Value,
    /// When it reached the cloud, in milliseconds since the epoch.
    pub at: i64,
}

/// A page of changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullPage {
    /// At most [`MAX_PAGE`], oldest first.
    pub changes: Vec<Change>,
    /// Where the next pull starts (opaque to the till).
    pub next_cursor: String,
    /// Whether more wait now.
    pub more: bool,
}

/// What a till sends on the WebSocket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// The first message, within 5 seconds: the access token.
    Authenticate {
        /// The access token.
        token: String,
    },
    /// Send what happened after this event sequence, then live events.
    Resume {
        /// The last event sequence the till has.
        after: u64,
    },
    /// A heartbeat (every 30 seconds).
    Heartbeat,
}

/// What the server sends on the WebSocket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ServerMessage {
    /// The token was accepted.
    Authenticated {
        /// The restaurant's latest event sequence.
        latest: u64,
    },
    /// Something happened in the restaurant.
    Event {
        /// The restaurant's event sequence: 1, 2, 3…
        seq: u64,
        /// What (`order.created`, `order.updated`, `order.status_changed`, `payment.processed`,
        /// `menu.updated`…).
        topic: String,
        /// The details.
        data: serde_json::Value,
    },
    /// The answer to a heartbeat.
    Heartbeat,
    /// Something went wrong; the socket closes after it.
    Error(ErrorBody),
}

/// The closed set of error codes of the cloud API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CloudErrorCode"))]
pub enum ErrorCode {
    /// The request is malformed or a field is out of range.
    InvalidInput,
    /// No token, or one not valid now.
    Unauthorized,
    /// A token of another restaurant or a revoked device.
    Forbidden,
    /// No such thing (in this restaurant).
    NotFound,
    /// A push's first op does not follow the last one the server has for the device.
    Gap,
    /// A batch or payload over its limit.
    TooLarge,
    /// Too many requests; try again later.
    RateLimited,
    /// Changed meanwhile, or already exists.
    Conflict,
    /// The server failed.
    Internal,
    /// A service the request needs (a payment provider) did not answer; try again.
    Unavailable,
}

/// An error as it leaves the API: `{"code", "message"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CloudError"))]
pub struct ErrorBody {
    /// For code to match on.
    pub code: ErrorCode,
    /// For people to read.
    pub message: String,
}

/// A message that fails the protocol's checks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// Malformed.
    #[error("{0}")]
    Invalid(String),
    /// Over a limit.
    #[error("{0}")]
    TooLarge(String),
    /// Sequence numbers that do not follow on.
    #[error("sequence gap: expected op {expected}, found {found}")]
    Gap {
        /// The sequence number that should come next.
        expected: u64,
        /// The one that came.
        found: u64,
    },
}

impl ProtocolError {
    /// The error as the API answers it.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: match self {
                ProtocolError::Invalid(_) => ErrorCode::InvalidInput,
                ProtocolError::TooLarge(_) => ErrorCode::TooLarge,
                ProtocolError::Gap { .. } => ErrorCode::Gap,
            },
            message: self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(seq: u64, device: u128) -> Op {
        Op {
            seq,
            op_id: Uuid::from_u128(u128::from(seq) + 1_000),
            device_id: Uuid::from_u128(device),
            op_type: "order.saved".into(),
            payload: json!({"order_id": "x", "events": []}),
            created_at: 1_795_894_200_000,
        }
    }

    #[test]
    fn a_batch_is_one_device_consecutive_and_bounded() {
        let batch = PushRequest {
            ops: (5..10).map(|s| op(s, 1)).collect(),
        };
        assert_eq!(batch.check(), Ok(()));
        assert!(matches!(
            PushRequest { ops: vec![] }.check(),
            Err(ProtocolError::Invalid(_))
        ));
        let gap = PushRequest {
            ops: vec![op(1, 1), op(3, 1)],
        };
        assert_eq!(gap.check(), Err(ProtocolError::Gap { expected: 2, found: 3 }));
        assert_eq!(gap.check().map_err(|e| e.body().code), Err(ErrorCode::Gap));
        let backwards = PushRequest {
            ops: vec![op(2, 1), op(1, 1)],
        };
        assert!(matches!(backwards.check(), Err(ProtocolError::Gap { .. })));
        let two_devices = PushRequest {
            ops: vec![op(1, 1), op(2, 2)],
        };
        assert!(matches!(two_devices.check(), Err(ProtocolError::Invalid(_))));
        let too_many = PushRequest {
            ops: (1..=MAX_BATCH as u64 + 1).map(|s| op(s, 1)).collect(),
        };
        assert!(matches!(too_many.check(), Err(ProtocolError::TooLarge(_))));
        let zero = PushRequest { ops: vec![op(0, 1)] };
        assert!(matches!(zero.check(), Err(ProtocolError::Invalid(_))));
        let huge = PushRequest {
            ops: vec![Op {
                payload: json!("x".repeat(MAX_OP_BYTES)),
                ..op(1, 1)
            }],
        };
        assert!(matches!(huge.check(), Err(ProtocolError::TooLarge(_))));
        for bad in [
            "order",
            "Order.saved",
            "order.",
            ".saved",
            "order.saved.twice",
            "order-saved",
        ] {
            let batch = PushRequest {
                ops: vec![Op {
                    op_type: bad.into(),
                    ..op(1, 1)
                }],
            };
            assert!(batch.check().is_err(), "{bad}");
        }
        let drawer = PushRequest {
            ops: vec![Op {
                op_type: "drawer.session_closed".into(),
                ..op(1, 1)
            }],
        };
        assert_eq!(drawer.check(), Ok(()));
    }

    #[test]
    fn messages_have_their_documented_json_shapes_and_refuse_unknown_fields() {
        let ack = Ack {
            seq: 7,
            op_id: Uuid::from_u128(1),
            outcome: Outcome::Rejected {
                code: ErrorCode::InvalidInput,
                message: "unknown product".into(),
            },
        };
        let json = serde_json::to_value(&ack).expect("json");
        assert_eq!(json["outcome"], "rejected");
        assert_eq!(json["code"], "invalid_input");
        assert_eq!(serde_json::from_value::<Ack>(json).expect("back"), ack);
        let applied = serde_json::to_value(Ack {
            outcome: Outcome::Applied,
            ..ack.clone()
        })
        .expect("json");
        assert_eq!(
            applied,
            json!({"seq": 7, "op_id": Uuid::from_u128(1), "outcome": "applied"})
        );
        let auth: ClientMessage = serde_json::from_str(r#"{"type": "authenticate", "token": "t"}"#).expect("parses");
        assert_eq!(auth, ClientMessage::Authenticate { token: "t".into() });
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type": "authenticate", "token": "t", "x": 1}"#).is_err());
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type": "shutdown"}"#).is_err());
        let event = ServerMessage::Event {
            seq: 3,
            topic: "order.created".into(),
            data: json!({"order_id": "o"}),
        };
        let text = serde_json::to_string(&event).expect("json");
        assert!(text.starts_with(r#"{"type":"event","seq":3"#), "{text}");
        assert_eq!(serde_json::from_str::<ServerMessage>(&text).expect("back"), event);
        let error = serde_json::to_value(ServerMessage::Error(ErrorBody {
            code: ErrorCode::Unauthorized,
            message: "authenticate first".into(),
        }))
        .expect("json");
        assert_eq!(
            error,
            json!({"type": "error", "code": "unauthorized", "message": "authenticate first"})
        );
        assert!(serde_json::from_value::<Op>(json!({"seq": 1})).is_err());
        let page = PullPage {
            changes: vec![Change {
                kind: ChangeKind::Staff,
                device_id: None,
                payload: json!({}),
                at: 1,
            }],
            next_cursor: "c2".into(),
            more: false,
        };
        let back: PullPage = serde_json::from_str(&serde_json::to_string(&page).expect("json")).expect("back");
        assert_eq!(back, page);
    }
}
