//! PIN lockout (SPEC §7): wrong PINs lock PIN entry, so nobody can find a PIN by trying them all.
//!
//! Wrong PINs are counted per *target*: the member of staff a PIN was typed for (at login or on the
//! approval overlay, when the screen names them), or the till as a whole for PINs typed without a name
//! that match nobody. After [`TRIES`] wrong PINs in a row the target is locked for one minute; every
//! further wrong PIN before a right one locks it again for twice as long, up to fifteen minutes. While
//! locked, a PIN for the target is not even checked. A right PIN clears a named member's count. The
//! till-wide count is not cleared by a right PIN — anyone's own PIN would then reset a guesser's count
//! between tries — but is forgotten after [`QUIET_MS`] with no wrong PIN, as is any target's.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// Wrong PINs in a row before the first lock.
pub const TRIES: u32 = 5;
/// The first lock.
pub const FIRST_LOCK_MS: i64 = 60_000;
/// The longest lock.
pub const LONGEST_LOCK_MS: i64 = 15 * 60_000;
/// After this long with no wrong PIN for a target, its count starts again.
pub const QUIET_MS: i64 = 60 * 60_000;

/// Where one target stands: wrong PINs since its last right one, and the lock they earned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockout {
    /// Wrong PINs in a row.
    pub failures: u32,
    /// Locked until then (milliseconds since the epoch), if ever locked in this run of failures.
    pub locked_until: Option<Timestamp>,
}

impl Lockout {
    /// How long PIN entry for this target stays locked from `now`, in milliseconds; none when open.
    pub fn remaining(&self, now: Timestamp) -> Option<i64> {
        self.locked_until
            .map(|until| until.millis().saturating_sub(now.millis()))
            .filter(|ms| *ms > 0)
    }

    /// The target after one more wrong PIN at `now`, the last wrong one having been at `last` (a count
    /// left quiet for [`QUIET_MS`] starts again).
    #[must_use]
    pub fn failed_after(self, last: Option<Timestamp>, now: Timestamp) -> Lockout {
        let quiet = last.is_none_or(|l| now.millis().saturating_sub(l.millis()) >= QUIET_MS);
        if quiet && self.remaining(now).is_none() {
            Lockout::default().failed(now)
        } else {
            self.failed(now)
        }
    }

    /// The target after one more wrong PIN at `now`.
    #[must_use]
    pub fn failed(self, now: Timestamp) -> Lockout {
        let failures = self.failures.saturating_add(1);
        let locked_until = match failures.checked_sub(TRIES) {
            None => None,
            Some(beyond) => {
                // 1 min at the 5th wrong PIN, 2 at the 6th, 4, 8, then 15 at most.
                let doublings = beyond.min(4);
                let lock = (FIRST_LOCK_MS << doublings).min(LONGEST_LOCK_MS);
                Some(Timestamp::from_millis(now.millis().saturating_add(lock)))
            }
        };
        Lockout { failures, locked_until }
    }

    /// How many more wrong PINs lock the target (the last of them locks it; 0 once it has locked).
    pub fn tries_left(&self) -> u32 {
        TRIES.saturating_sub(self.failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_lock_a_minute_and_each_more_doubles_up_to_fifteen() {
        let t = |ms| Timestamp::from_millis(ms);
        let mut l = Lockout::default();
        assert_eq!(l.tries_left(), 5);
        for n in 1..=4 {
            l = l.failed(t(1_000));
            assert_eq!((l.failures, l.remaining(t(1_000))), (n, None));
        }
        assert_eq!(l.tries_left(), 1, "the fifth locks");
        let mut locks = Vec::new();
        for _ in 0..7 {
            l = l.failed(t(1_000));
            locks.push(l.remaining(t(1_000)));
        }
        let minute = 60_000;
        assert_eq!(
            locks,
            [1, 2, 4, 8, 15, 15, 15].map(|m| Some(m * minute)),
            "1, 2, 4, 8 minutes, then 15"
        );
        assert_eq!(
            l.remaining(t(1_000 + 15 * minute)),
            None,
            "open again once it has passed"
        );
        assert_eq!(l.remaining(t(1_000 + 15 * minute - 1)), Some(1));
    }
}
