//! The session area: logging in and out with a PIN, who is logged in, and a manager's approval given
//! in place (their PIN typed on the overlay). Wrong PINs lock PIN entry after a few tries
//! ([`fynlo_core::lockout`]) and are recorded for the audit trail.

pub mod pin;
pub mod request;
pub mod view;

use fynlo_core::{
    ids::StaffId,
    staff::{Pin, Staff},
};
use fynlo_store::{PinFailure, Write, TILL};

use crate::{
    error::{AppError, ErrorCode},
    setup,
    till::{Session, Till},
    view::Reply,
};
use request::{ApprovalInput, Login};
use view::{SessionView, StaffView};

/// Where a PIN was typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Screen {
    /// The login screen.
    Login,
    /// The manager's approval overlay.
    Approval,
}

impl Screen {
    fn as_str(self) -> &'static str {
        match self {
            Screen::Login => "login",
            Screen::Approval => "approval",
        }
    }
}

impl Till {
    pub(crate) async fn login(&mut self, req: Login) -> Result<Reply, AppError> {
        let everyone = self.staff.clone();
        let member = self
            .check_pin(&req.pin, req.staff.as_deref(), &everyone, Screen::Login)
            .await?;
        self.save_drafts().await?;
        self.session = Session {
            staff: Some(member),
            ..Session::default()
        };
        Ok(self.session_reply())
    }

    pub(crate) async fn logout(&mut self) -> Result<Reply, AppError> {
        self.save().await?;
        self.session.staff = None;
        self.session.current = None;
        Ok(self.session_reply())
    }

    /// The manager approving a command: the member of staff logged in when they are a manager or owner,
    /// or the manager whose PIN was typed on the approval overlay. Only managers' PINs are tried, so the
    /// overlay never tells whose a cashier's PIN is; a wrong one counts towards the lockout like one at
    /// login.
    pub(crate) async fn approver(&mut self, approval: Option<ApprovalInput>) -> Result<Option<StaffId>, AppError> {
        let me = self.require_staff()?;
        if me.role.is_manager() {
            return Ok(Some(me.id.clone()));
        }
        let Some(approval) = approval else {
            return Ok(None);
        };
        let managers: Vec<Staff> = self.staff.iter().filter(|s| s.role.is_manager()).cloned().collect();
        let member = self
            .check_pin(&approval.pin, approval.staff.as_deref(), &managers, Screen::Approval)
            .await?;
        Ok(Some(member.id))
    }

    /// Checks a PIN typed for `named` (or for anyone in `among`, when no one is named), under the lockout
    /// ([`fynlo_core::lockout`]): a locked target's PIN is not even checked; a wrong PIN is recorded —
    /// never the PIN itself — with where it was typed, by whom and for whom; a right one clears the count.
    async fn check_pin(
        &mut self,
        pin: &str,
        named: Option<&str>,
        among: &[Staff],
        screen: Screen,
    ) -> Result<Staff, AppError> {
        let target = match named {
            Some(id) => StaffId::new(id)?.as_str().to_owned(),
            None => TILL.to_owned(),
        };
        let now = self.services.clock.now();
        if let Some(ms) = self.store.lockout(&target).await?.remaining(now) {
            return Err(AppError::locked_out(ms));
        }
        let candidates: Vec<Staff> = match named {
            Some(id) => among.iter().filter(|s| s.id.as_str() == id).cloned().collect(),
            None => among.to_vec(),
        };
        let found = Pin::new(pin)
            .map_err(|_| AppError::new(ErrorCode::WrongPin, "wrong PIN: a PIN is 4 to 6 digits"))
            .and_then(|pin| pin::find_staff(&candidates, &pin).cloned());
        match found {
            Ok(member) => {
                self.store.clear_pin_failures(&target).await?;
                if target == TILL {
                    self.pin_lockout = fynlo_core::lockout::Lockout::default();
                }
                Ok(member)
            }
            Err(e) if e.code == ErrorCode::WrongPin => Err(self.wrong_pin(&target, screen).await?),
            Err(e) => Err(e),
        }
    }

    /// Records a wrong PIN for `target` and says what it means: how many tries are left, or how long PIN
    /// entry is now locked.
    async fn wrong_pin(&mut self, target: &str, screen: Screen) -> Result<AppError, AppError> {
        let system = setup::system_staff();
        let w = Write {
            at: self.services.clock.now(),
            staff: &system,
            ids: self.services.ids.as_ref(),
        };
        let failure = PinFailure {
            target,
            screen: screen.as_str(),
            typed_by: self.session.staff.as_ref().map(|s| &s.id),
        };
        let now = self.store.record_pin_failure(&failure, &w).await?;
        if target == TILL {
            self.pin_lockout = now;
        }
        let what = match screen {
            Screen::Login => "wrong PIN",
            Screen::Approval => "wrong manager PIN",
        };
        Ok(match now.remaining(w.at) {
            Some(ms) => {
                let mut locked = AppError::locked_out(ms);
                locked.message = format!("{what}; {}", locked.message);
                locked
            }
            None => AppError::new(
                ErrorCode::WrongPin,
                match now.tries_left() {
                    1 => format!("{what}: one more wrong PIN locks PIN entry for a minute"),
                    n => format!("{what}: {n} more wrong PINs lock PIN entry for a minute"),
                },
            ),
        })
    }

    /// Who is logged in and which order is current.
    pub(crate) fn session_reply(&self) -> Reply {
        Reply::Session(SessionView {
            staff: self.session.staff.as_ref().map(StaffView::from),
            current_order: self.session.current.map(|id| id.to_string()),
            pin_locked_for: self
                .pin_lockout
                .remaining(self.services.clock.now())
                .map(|ms| u64::try_from(ms).unwrap_or(0).div_ceil(1000)),
        })
    }
}
