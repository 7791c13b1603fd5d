//! The session area: logging in and out with a PIN, who is logged in, and a manager's approval given
//! in place (their PIN typed on the overlay). Wrong PINs lock PIN entry after a few tries
//! ([`fynlo_core::lockout`]) and are recorded for the audit trail.

pub mod pin;
pub mod request;
pub mod view;

use fynlo_core::{
    ids::StaffId,
    permission::{Permission, Permissions},
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
    /// The time clock (clocking in or out, breaks).
    TimeClock,
    /// A member of staff changing their own PIN (the old one).
    ChangePin,
}

impl Screen {
    fn as_str(self) -> &'static str {
        match self {
            Screen::Login => "login",
            Screen::Approval => "approval",
            Screen::TimeClock => "time_clock",
            Screen::ChangePin => "change_pin",
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
        let forgotten_clock_out = self.forgotten_shift(&member.id).await?;
        let payload = serde_json::json!({ "staff": member.id.as_str() });
        self.store
            .record_op("auth.logged_in", &payload, &self.write_now(&member.id))
            .await?;
        self.session = Session {
            staff: Some(member),
            forgotten_clock_out,
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

    /// What `member`'s role may do, under the restaurant's permission table.
    pub(crate) fn grants_of(&self, member: &Staff) -> Permissions {
        self.restaurant.permissions.of(member.role)
    }

    /// Who approves an order command: the member whose PIN was typed on the approval overlay when one
    /// was, else the member logged in when their role may approve anything. The core then checks that
    /// their role holds the permission the command needs ([`fynlo_core::order::Ctx::grants`]). Only the
    /// PINs of staff who may approve something are tried, so the overlay never tells whose a cashier's
    /// PIN is; a wrong one counts towards the lockout like one at login.
    pub(crate) async fn approver(&mut self, approval: Option<ApprovalInput>) -> Result<Option<StaffId>, AppError> {
        let me = self.require_staff()?.clone();
        let Some(approval) = approval else {
            return Ok(self.grants_of(&me).any().then_some(me.id));
        };
        let approvers: Vec<Staff> = self.staff.iter().filter(|s| self.grants_of(s).any()).cloned().collect();
        let member = self
            .check_pin(&approval.pin, approval.staff.as_deref(), &approvers, Screen::Approval)
            .await?;
        Ok(Some(member.id))
    }

    /// The member of staff who does (or approves) something only some roles may: the one logged in when
    /// their role holds `permission`, else the one whose PIN was typed on the approval overlay, tried
    /// only among staff whose role holds it. Every command that needs a permission outside an order
    /// asks here, so the permission table is the one rule.
    pub(crate) async fn authorise(
        &mut self,
        permission: Permission,
        approval: Option<ApprovalInput>,
    ) -> Result<StaffId, AppError> {
        let me = self.require_staff()?.clone();
        if self.grants_of(&me).has(permission) && approval.is_none() {
            return Ok(me.id);
        }
        let Some(approval) = approval else {
            return Err(AppError::new(
                ErrorCode::ApprovalRequired,
                format!(
                    "{} needs someone whose role allows it ({}): log in as them or type their PIN",
                    permission.what(),
                    permission.as_str()
                ),
            ));
        };
        let allowed: Vec<Staff> = self
            .staff
            .iter()
            .filter(|s| self.grants_of(s).has(permission))
            .cloned()
            .collect();
        let member = self
            .check_pin(&approval.pin, approval.staff.as_deref(), &allowed, Screen::Approval)
            .await?;
        Ok(member.id)
    }

    /// Checks a PIN typed for `named` (or for anyone in `among`, when no one is named), under the lockout
    /// ([`fynlo_core::lockout`]): a locked target's PIN is not even checked; a wrong PIN is recorded —
    /// never the PIN itself — with where it was typed, by whom and for whom; a right one clears the count.
    pub(crate) async fn check_pin(
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
                // A right PIN clears a named member's count. The till-wide count stays (anyone's own PIN
                // would otherwise reset a guesser's count between tries) until an hour passes quietly.
                if target != TILL {
                    self.store.clear_pin_failures(&target).await?;
                }
                Ok(member)
            }
            Err(e) if e.code == ErrorCode::WrongPin => Err(self.wrong_pin(&target, screen).await?),
            Err(e) => Err(e),
        }
    }

    /// Records a wrong PIN for `target` and says what it means: how many tries are left, or how long PIN
    /// entry is now locked.
    pub(crate) async fn wrong_pin(&mut self, target: &str, screen: Screen) -> Result<AppError, AppError> {
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
            Screen::Login | Screen::TimeClock | Screen::ChangePin => "wrong PIN",
            Screen::Approval => "wrong approval PIN",
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
            permissions: self
                .session
                .staff
                .as_ref()
                .map(|s| self.grants_of(s).iter().collect())
                .unwrap_or_default(),
            forgotten_clock_out: self.session.forgotten_clock_out,
        })
    }
}
