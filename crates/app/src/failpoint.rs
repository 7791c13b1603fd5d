//! Failpoints: named steps of a payment, a refund or a replacing `init` where a crash test can make the till abort, to check
//! that a till killed between any two steps resumes without losing or doubling money.
//!
//! The front door decides (the CLI reads `FYNLO_FAILPOINT` once at start, for the crash tests); the
//! payment steps only ask [`Failpoints::hit`]. In normal use there are none and `hit` does nothing.

use std::str::FromStr;

/// A step of the provider flow, in the order they happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A payment attempt is saved (pending); the provider has not been called.
    PayAfterStart,
    /// The provider has answered a payment; its answer is not saved yet.
    PayAfterProvider,
    /// Asked again about an attempt in flight (check, cancel, recovery), the provider has answered
    /// with a change; the change is not saved yet.
    CheckAfterProvider,
    /// A refund is saved (pending); the provider has not been called.
    RefundAfterStart,
    /// The provider has answered a refund; its answer is not saved yet.
    RefundAfterProvider,
    /// `init --force` has built the new database; it is not in place yet.
    InitBeforeMove,
}

impl Step {
    /// Every step.
    pub const ALL: [Step; 6] = [
        Step::PayAfterStart,
        Step::PayAfterProvider,
        Step::CheckAfterProvider,
        Step::RefundAfterStart,
        Step::RefundAfterProvider,
        Step::InitBeforeMove,
    ];

    /// The step's name, as the crash tests give it.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::PayAfterStart => "pay.after_start",
            Step::PayAfterProvider => "pay.after_provider",
            Step::CheckAfterProvider => "check.after_provider",
            Step::RefundAfterStart => "refund.after_start",
            Step::RefundAfterProvider => "refund.after_provider",
            Step::InitBeforeMove => "init.before_move",
        }
    }
}

impl FromStr for Step {
    type Err = String;

    fn from_str(name: &str) -> Result<Step, String> {
        Step::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| format!("no failpoint {name:?}"))
    }
}

/// Where the till aborts: nowhere (normal use), or at one step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failpoints {
    abort_at: Option<Step>,
}

impl Failpoints {
    /// No failpoints: the till never aborts on purpose.
    pub const fn none() -> Failpoints {
        Failpoints { abort_at: None }
    }

    /// Abort the process (as a power cut would stop it) when the till reaches `step`.
    pub const fn abort_at(step: Step) -> Failpoints {
        Failpoints { abort_at: Some(step) }
    }

    /// Called by the payment steps as they pass `step`.
    pub fn hit(self, step: Step) {
        if self.abort_at == Some(step) {
            std::process::abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_parse_by_name_and_none_never_aborts() {
        for step in Step::ALL {
            assert_eq!(step.as_str().parse::<Step>(), Ok(step));
            Failpoints::none().hit(step);
            Failpoints::abort_at(Step::PayAfterStart).hit(if step == Step::PayAfterStart {
                Step::RefundAfterProvider
            } else {
                step
            });
        }
        assert!("pay.after_nothing".parse::<Step>().is_err());
    }
}
