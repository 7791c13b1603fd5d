//! The session area: logging in and out with a PIN, who is logged in, and a manager's approval given
//! in place (their PIN typed on the overlay). Wrong PINs are recorded for the audit trail.

pub mod pin;
pub mod request;
pub mod view;

use fynlo_core::{
    ids::StaffId,
    staff::{Pin, Staff},
    time::Timestamp,
};
use fynlo_store::Write;

use crate::{
    error::{AppError, ErrorCode},
    setup,
    till::{Session, Till},
    view::Reply,
};
use request::{ApprovalInput, Login};
use view::{SessionView, StaffView};

/// Wrong PINs are counted over this window.
const PIN_WINDOW_MS: i64 = 15 * 60 * 1000;

impl Till {
    pub(crate) async fn login(&mut self, req: Login) -> Result<Reply, AppError> {
        let candidates: Vec<Staff> = match req.staff.as_deref() {
            Some(id) => self.staff.iter().filter(|s| s.id.as_str() == id).cloned().collect(),
            None => self.staff.clone(),
        };
        let found = Pin::new(&req.pin)
            .map_err(AppError::from)
            .and_then(|pin| pin::find_staff(&candidates, &pin).cloned());
        match found {
            Ok(member) => {
                self.save_drafts().await?;
                self.session = Session {
                    staff: Some(member),
                    ..Session::default()
                };
                Ok(self.session_reply())
            }
            Err(e) if e.code == ErrorCode::WrongPin => Err(self.wrong_pin("PIN").await?),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn logout(&mut self) -> Result<Reply, AppError> {
        self.save().await?;
        self.session.staff = None;
        self.session.current = None;
        Ok(self.session_reply())
    }

    /// The manager approving a command: the member of staff logged in when they are a manager or owner,
    /// or the manager whose PIN was typed on the approval overlay. A wrong PIN is recorded like one at
    /// login; a PIN of someone who cannot approve is refused.
    pub(crate) async fn approver(&mut self, approval: Option<ApprovalInput>) -> Result<Option<StaffId>, AppError> {
        let me = self.require_staff()?;
        if me.role.is_manager() {
            return Ok(Some(me.id.clone()));
        }
        let Some(approval) = approval else {
            return Ok(None);
        };
        let candidates: Vec<Staff> = self
            .staff
            .iter()
            .filter(|s| approval.staff.as_deref().is_none_or(|id| s.id.as_str() == id))
            .cloned()
            .collect();
        let found = Pin::new(&approval.pin)
            .map_err(AppError::from)
            .and_then(|pin| pin::find_staff(&candidates, &pin).cloned());
        match found {
            Ok(member) if member.role.is_manager() => Ok(Some(member.id)),
            Ok(member) => Err(AppError::new(
                ErrorCode::ApprovalRequired,
                format!("{} cannot approve this: a manager's PIN is needed", member.name),
            )),
            Err(e) if e.code == ErrorCode::WrongPin => Err(self.wrong_pin("manager PIN").await?),
            Err(e) => Err(e),
        }
    }

    /// Records a wrong PIN (at login or on the approval overlay) for lockout and audit, and says how many
    /// there have been lately.
    async fn wrong_pin(&self, what: &str) -> Result<AppError, AppError> {
        let now = self.services.clock.now();
        let system = setup::system_staff();
        let w = Write {
            at: now,
            staff: &system,
            ids: self.services.ids.as_ref(),
        };
        let since = Timestamp::from_millis(now.millis() - PIN_WINDOW_MS);
        let count = self.store.record_pin_failure(since, &w).await?;
        Ok(AppError::new(
            ErrorCode::WrongPin,
            format!("wrong {what} ({count} wrong in the last 15 minutes)"),
        ))
    }

    /// Who is logged in and which order is current.
    pub(crate) fn session_reply(&self) -> Reply {
        Reply::Session(SessionView {
            staff: self.session.staff.as_ref().map(StaffView::from),
            current_order: self.session.current.map(|id| id.to_string()),
        })
    }
}
