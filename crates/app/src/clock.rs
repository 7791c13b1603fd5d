//! The real clock and id source the till runs with. Tests pass fixed ones instead.

use std::sync::Mutex;

use chrono::Utc;
use fynlo_core::time::{Clock, IdSource, Timestamp};
use uuid::Uuid;

/// The system clock. The business date and local times come from the restaurant's time zone and day end,
/// not the machine's.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(Utc::now().timestamp_millis())
    }
}

/// Time-ordered `UUIDv7` ids: the time in milliseconds, then a counter that keeps ids made in the same
/// millisecond in order (starting from a random point each millisecond), then 62 random bits.
///
/// The random bits come from a `SplitMix64` sequence seeded from the operating system once per process,
/// rather than a `getrandom` call per id (a system call each, about 2 µs a sale). Ids need to be unique
/// and unguessable enough not to collide across tills, not secret: the seed is 64 random bits and
/// every id in a process draws a different value of the sequence.
#[derive(Clone, Copy, Debug, Default)]
pub struct UuidV7;

/// What the process's ids have used so far.
struct V7State {
    /// The sequence's position (`SplitMix64`'s state).
    rng: u64,
    /// The millisecond of the last id, and the counter it used.
    last_ms: u64,
    counter: u16,
}

static V7: Mutex<Option<V7State>> = Mutex::new(None);

/// `SplitMix64`: advances `state` and returns the next value of its sequence.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The largest value of the 12-bit counter.
const COUNTER_MAX: u16 = 0x0FFF;

impl IdSource for UuidV7 {
    fn new_id(&self) -> Uuid {
        let now = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0);
        // A poisoned lock only means another thread panicked while holding it; the state is still a
        // valid position of the sequence.
        let mut guard = V7.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let state = guard.get_or_insert_with(|| V7State {
            rng: u64::from_le_bytes(Uuid::new_v4().as_bytes()[..8].try_into().unwrap_or([0; 8])),
            last_ms: 0,
            counter: 0,
        });
        let random = splitmix64(&mut state.rng);
        if now > state.last_ms {
            state.last_ms = now;
            // Start low in the counter's range, so a busy millisecond has room to count up.
            state.counter = u16::try_from(random >> 53).unwrap_or(0) & 0x03FF;
        } else if state.counter < COUNTER_MAX {
            state.counter += 1;
        } else {
            // 4,096 ids in one millisecond (or a clock gone back): borrow the next millisecond.
            state.last_ms += 1;
            state.counter = 0;
        }
        let tail = splitmix64(&mut state.rng).to_be_bytes();
        let mut bytes = [0u8; 10];
        bytes[..2].copy_from_slice(&state.counter.to_be_bytes());
        bytes[2..].copy_from_slice(&tail);
        uuid::Builder::from_unix_timestamp_millis(state.last_ms, &bytes).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_7_unique_and_in_order() {
        let ids: Vec<Uuid> = (0..20_000).map(|_| UuidV7.new_id()).collect();
        for pair in ids.windows(2) {
            assert!(pair[0] < pair[1], "{} then {}", pair[0], pair[1]);
        }
        assert!(ids.iter().all(|id| id.get_version_num() == 7));
        assert!(ids.iter().all(|id| id.get_variant() == uuid::Variant::RFC4122));
        let now = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0);
        let (secs, nanos) = ids[0].get_timestamp().expect("a v7 timestamp").to_unix();
        let first_ms = secs * 1000 + u64::from(nanos / 1_000_000);
        assert!(now.abs_diff(first_ms) < 60_000, "the time is now's");
        // The random tails differ even where the time and counter run on.
        let tails: std::collections::HashSet<[u8; 8]> = ids
            .iter()
            .map(|id| id.as_bytes()[8..].try_into().expect("8 bytes"))
            .collect();
        assert_eq!(tails.len(), ids.len());
    }
}
