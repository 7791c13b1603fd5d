//! The staff area (SPEC §7): editing staff on the device, PINs, the time clock, timesheets, and the
//! tips records the Employment (Allocation of Tips) Act 2023 asks for.
//!
//! - Staff: those who may edit staff (`edit_staff`) add, change and deactivate members and reset their
//!   PINs, but never above their own role; a member changes their own PIN by typing the old one (under
//!   the PIN lockout). No two active members share a PIN. Every change is a `staff.updated` op.
//! - Time clock: staff clock in and out and take breaks with their PIN, logged in or not (the PIN lockout
//!   applies); a forgotten clock-out is flagged when they next log in; a manager adjusts a shift with a
//!   reason (`timeclock.adjusted`, with the times before).
//! - Tips: a period's tips and service charge allocated by the restaurant's rule, recorded once when
//!   paid out, kept for good, exported per worker as CSV; the written policy is shown to everyone.

pub mod request;
pub mod view;

use fynlo_core::{
    ids::StaffId,
    permission::Permission,
    report::csv_field,
    staff::{Pin, Staff},
    time::{BusinessDate, Timestamp},
    timeclock::{allocate_tips, timesheet, Shift, TipInputs},
    Minor,
};
use fynlo_store::{PinFailure, ShiftTimes, TipRecord};

use crate::{
    error::{AppError, ErrorCode},
    session::{pin::hash_pin, pin::verify_pin, Screen},
    setup::system_staff,
    till::Till,
    view::Reply,
};
use request::{
    AddStaff, AdjustShift, BreakPunch, ChangePin, ChangeStaff, Punch, RecordTips, ResetPin, TimesheetRequest,
    TipsPeriod, TipsQuery,
};
use view::{
    ShiftView, ShiftsView, StaffListView, StaffMemberView, TimesheetView, TipAllocationView, TipRecordView,
    TipShareView, TipsRecordsView,
};

fn bad_name(name: &str) -> bool {
    let name = name.trim();
    name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control)
}

impl Till {
    /// Reads the staff again after a change, keeping the session's member up to date.
    async fn reload_staff(&mut self) -> Result<(), AppError> {
        self.staff = self.store.staff().await?;
        if let Some(me) = &self.session.staff {
            self.session.staff = self.staff.iter().find(|s| s.id == me.id).cloned();
        }
        Ok(())
    }

    /// The member `id`, active or not.
    async fn member(&self, id: &str) -> Result<(Staff, bool), AppError> {
        let id = StaffId::new(id)?;
        self.store
            .all_staff()
            .await?
            .into_iter()
            .find(|(s, _)| s.id == id)
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no member of staff {id}")))
    }

    /// The editor's role must be at least the role edited (before and after).
    fn within_role(editor: &StaffId, staff: &[Staff], role: fynlo_core::staff::Role) -> Result<(), AppError> {
        let mine = staff.iter().find(|s| &s.id == editor).map(|s| s.role);
        if mine.is_some_and(|m| m >= role) {
            Ok(())
        } else {
            Err(AppError::new(
                ErrorCode::NotPermitted,
                format!("only someone of at least {}'s role may do this", role.as_str()),
            ))
        }
    }

    /// Refuses a PIN another member has, active or not (it would log in as either of them). Saying so tells
    /// the one choosing that the PIN is someone's, so each clash counts as a wrong PIN against them —
    /// under the same lockout as a login — and a locked chooser may not try at all.
    async fn pin_is_free(&mut self, pin: &Pin, except: Option<&StaffId>, chooser: &StaffId) -> Result<(), AppError> {
        let now = self.services.clock.now();
        if let Some(ms) = self.store.lockout(chooser.as_str()).await?.remaining(now) {
            return Err(AppError::locked_out(ms));
        }
        let everyone = self.store.all_staff().await?;
        let taken = everyone
            .iter()
            .filter(|(s, _)| Some(&s.id) != except)
            .any(|(s, _)| verify_pin(pin, &s.pin_hash));
        if !taken {
            return Ok(());
        }
        let failure = PinFailure {
            target: chooser.as_str(),
            screen: "pin_choice",
            typed_by: Some(chooser),
        };
        let system = system_staff();
        let after = self
            .store
            .record_pin_failure(&failure, &self.write_now(&system))
            .await?;
        Err(match after.remaining(now) {
            Some(ms) => AppError::locked_out(ms),
            None => AppError::new(
                ErrorCode::Conflict,
                format!(
                    "another member of staff has this PIN: choose another ({} more before PIN entry locks)",
                    after.tries_left()
                ),
            ),
        })
    }

    fn new_pin(text: &str) -> Result<Pin, AppError> {
        Pin::new(text).map_err(|_| AppError::invalid("a PIN is 4 to 6 digits"))
    }

    /// `staff`: the active staff (and, for those who may edit staff, the deactivated ones too), with who
    /// is clocked in.
    pub(crate) async fn staff_list(&mut self) -> Result<Reply, AppError> {
        let me = self.require_staff()?.clone();
        let can_edit = self.grants_of(&me).has(Permission::EditStaff);
        let open = self.store.open_shifts().await?;
        let staff = self
            .store
            .all_staff()
            .await?
            .into_iter()
            .filter(|(_, active)| *active || can_edit)
            .map(|(s, active)| StaffMemberView {
                on_shift_since: open.iter().find(|o| o.staff == s.id).map(|o| o.clock_in.millis()),
                id: s.id.to_string(),
                name: s.name,
                role: s.role,
                active,
            })
            .collect();
        Ok(Reply::Staff(StaffListView { staff, can_edit }))
    }

    /// `add_staff`.
    pub(crate) async fn add_staff(&mut self, req: AddStaff) -> Result<Reply, AppError> {
        let editor = self.authorise(Permission::EditStaff, req.approval).await?;
        let id = StaffId::new(req.id.trim())?;
        if bad_name(&req.name) {
            return Err(AppError::invalid("a name is 1 to 80 characters"));
        }
        Self::within_role(&editor, &self.staff, req.role)?;
        if id == system_staff() || self.store.all_staff().await?.iter().any(|(s, _)| s.id == id) {
            return Err(AppError::new(ErrorCode::Conflict, format!("staff id {id} is taken")));
        }
        let pin = Self::new_pin(&req.pin)?;
        self.pin_is_free(&pin, None, &editor).await?;
        let member = Staff {
            id,
            name: req.name.trim().to_owned(),
            role: req.role,
            pin_hash: hash_pin(&pin)?,
        };
        self.store.put_staff(&member, &self.write_now(&editor)).await?;
        self.reload_staff().await?;
        self.staff_list().await
    }

    /// `change_staff`: name, role, active. Never your own role or your own deactivation (a till must
    /// keep someone who can edit staff).
    pub(crate) async fn change_staff(&mut self, req: ChangeStaff) -> Result<Reply, AppError> {
        let editor = self.authorise(Permission::EditStaff, req.approval).await?;
        let (mut member, active) = self.member(&req.id).await?;
        let everyone: Vec<Staff> = self.store.all_staff().await?.into_iter().map(|(s, _)| s).collect();
        Self::within_role(&editor, &everyone, member.role)?;
        if let Some(role) = req.role {
            Self::within_role(&editor, &everyone, role)?;
            if member.id == editor && role != member.role {
                return Err(AppError::new(ErrorCode::NotPermitted, "nobody changes their own role"));
            }
        }
        if req.active == Some(false) && member.id == editor {
            return Err(AppError::new(ErrorCode::NotPermitted, "nobody deactivates themselves"));
        }
        if let Some(name) = &req.name {
            if bad_name(name) {
                return Err(AppError::invalid("a name is 1 to 80 characters"));
            }
        }
        if req.name.is_none() && req.role.is_none() && req.active.is_none() {
            return Err(AppError::new(ErrorCode::NothingToDo, "nothing to change"));
        }
        let w_staff = editor.clone();
        if req.name.is_some() || req.role.is_some() {
            if let Some(name) = &req.name {
                name.trim().clone_into(&mut member.name);
            }
            if let Some(role) = req.role {
                member.role = role;
            }
            self.store.put_staff(&member, &self.write_now(&w_staff)).await?;
        }
        if let Some(now_active) = req.active {
            if now_active != active {
                self.store
                    .set_staff_active(&member.id, now_active, &self.write_now(&w_staff))
                    .await?;
            }
        }
        self.reload_staff().await?;
        self.staff_list().await
    }

    /// `change_pin`: the member logged in, typing their PIN now.
    pub(crate) async fn change_pin(&mut self, req: ChangePin) -> Result<Reply, AppError> {
        let me = self.require_staff()?.clone();
        // The PIN now is checked under the lockout, but a right one does not clear the count here: each
        // try below of a new PIN that turns out to be someone else's counts, and must keep counting.
        let now = self.services.clock.now();
        if let Some(ms) = self.store.lockout(me.id.as_str()).await?.remaining(now) {
            return Err(AppError::locked_out(ms));
        }
        let right = Pin::new(&req.old).is_ok_and(|old| verify_pin(&old, &me.pin_hash));
        if !right {
            return Err(self.wrong_pin(me.id.as_str(), Screen::ChangePin).await?);
        }
        let pin = Self::new_pin(&req.new)?;
        self.pin_is_free(&pin, Some(&me.id), &me.id).await?;
        let member = Staff {
            pin_hash: hash_pin(&pin)?,
            ..me
        };
        self.store.put_staff(&member, &self.write_now(&member.id)).await?;
        // A PIN change is an audited action of its own (the `staff.updated` op says only who).
        let payload = serde_json::json!({ "staff": member.id.as_str() });
        self.store
            .record_op("staff.pin_changed", &payload, &self.write_now(&member.id))
            .await?;
        self.reload_staff().await?;
        Ok(self.session_reply())
    }

    /// `reset_pin`: someone who may edit staff sets another member's PIN.
    pub(crate) async fn reset_pin(&mut self, req: ResetPin) -> Result<Reply, AppError> {
        let editor = self.authorise(Permission::EditStaff, req.approval).await?;
        let (member, _) = self.member(&req.staff).await?;
        let everyone: Vec<Staff> = self.store.all_staff().await?.into_iter().map(|(s, _)| s).collect();
        Self::within_role(&editor, &everyone, member.role)?;
        let pin = Self::new_pin(&req.pin)?;
        self.pin_is_free(&pin, Some(&member.id), &editor).await?;
        let member = Staff {
            pin_hash: hash_pin(&pin)?,
            ..member
        };
        self.store.put_staff(&member, &self.write_now(&editor)).await?;
        let payload = serde_json::json!({ "staff": member.id.as_str(), "reset_by": editor.as_str() });
        self.store
            .record_op("staff.pin_reset", &payload, &self.write_now(&editor))
            .await?;
        self.reload_staff().await?;
        self.staff_list().await
    }

    /// Whose PIN it is, for the time clock: any active member, under the lockout.
    async fn puncher(&mut self, punch: &Punch) -> Result<Staff, AppError> {
        let everyone = self.staff.clone();
        self.check_pin(&punch.pin, punch.staff.as_deref(), &everyone, Screen::TimeClock)
            .await
    }

    fn shift_view(&self, shift: &Shift, now: Timestamp) -> ShiftView {
        ShiftView::new(shift, &self.staff_name(&shift.staff), now)
    }

    /// `clock_in`.
    pub(crate) async fn clock_in(&mut self, req: Punch) -> Result<Reply, AppError> {
        let member = self.puncher(&req).await?;
        let now = self.services.clock.now();
        let date = self.restaurant.business_date(now);
        let shift = self.store.clock_in(&date, &self.write_now(&member.id)).await?;
        Ok(Reply::Shifts(ShiftsView {
            shifts: vec![self.shift_view(&shift, now)],
        }))
    }

    /// `clock_out`.
    pub(crate) async fn clock_out(&mut self, req: Punch) -> Result<Reply, AppError> {
        let member = self.puncher(&req).await?;
        let now = self.services.clock.now();
        let shift = self.store.clock_out(&self.write_now(&member.id)).await?;
        if self.session.staff.as_ref().is_some_and(|s| s.id == member.id) {
            self.session.forgotten_clock_out = None;
        }
        Ok(Reply::Shifts(ShiftsView {
            shifts: vec![self.shift_view(&shift, now)],
        }))
    }

    /// `start_break`.
    pub(crate) async fn start_break(&mut self, req: BreakPunch) -> Result<Reply, AppError> {
        let punch = Punch {
            pin: req.pin,
            staff: req.staff,
        };
        let member = self.puncher(&punch).await?;
        let now = self.services.clock.now();
        let shift = self.store.start_break(req.paid, &self.write_now(&member.id)).await?;
        Ok(Reply::Shifts(ShiftsView {
            shifts: vec![self.shift_view(&shift, now)],
        }))
    }

    /// `end_break`.
    pub(crate) async fn end_break(&mut self, req: Punch) -> Result<Reply, AppError> {
        let member = self.puncher(&req).await?;
        let now = self.services.clock.now();
        let shift = self.store.end_break(&self.write_now(&member.id)).await?;
        Ok(Reply::Shifts(ShiftsView {
            shifts: vec![self.shift_view(&shift, now)],
        }))
    }

    /// `on_shift`: who is clocked in now.
    pub(crate) async fn on_shift(&mut self) -> Result<Reply, AppError> {
        let now = self.services.clock.now();
        let shifts = self.store.open_shifts().await?;
        Ok(Reply::Shifts(ShiftsView {
            shifts: shifts.iter().map(|s| self.shift_view(s, now)).collect(),
        }))
    }

    /// The pay period of `date` (today's when left out).
    fn period(&self, date: Option<&str>) -> Result<(BusinessDate, BusinessDate), AppError> {
        let date = match date {
            Some(text) => BusinessDate::parse(text)?,
            None => self.restaurant.business_date(self.services.clock.now()),
        };
        Ok(self.restaurant.staff_policy.period_of(&date))
    }

    /// `timesheet`: a pay period's time worked by each member (a member's own needs no permission).
    pub(crate) async fn timesheet(&mut self, req: TimesheetRequest) -> Result<Reply, AppError> {
        let me = self.require_staff()?.id.clone();
        let only = req.staff.as_deref().map(StaffId::new).transpose()?;
        if only.as_ref() != Some(&me) {
            self.authorise(Permission::SeeReports, req.approval).await?;
        }
        let (from, to) = self.period(req.date.as_deref())?;
        let now = self.services.clock.now();
        let shifts: Vec<Shift> = self
            .store
            .shifts_between(&from, &to)
            .await?
            .into_iter()
            .filter(|s| only.as_ref().is_none_or(|o| &s.staff == o))
            .collect();
        let names = |id: &StaffId| self.staff_name(id);
        let rows = timesheet(&shifts, &self.restaurant.staff_policy, now, &names);
        Ok(Reply::Timesheet(TimesheetView {
            from: from.to_string(),
            to: to.to_string(),
            overtime_after_hours: self.restaurant.staff_policy.overtime_after_hours,
            rows,
            shifts: shifts.iter().map(|s| self.shift_view(s, now)).collect(),
        }))
    }

    /// `adjust_shift`: a manager corrects a shift's times (or adds one someone forgot), with a reason.
    pub(crate) async fn adjust_shift(&mut self, req: AdjustShift) -> Result<Reply, AppError> {
        let editor = self.authorise(Permission::EditStaff, req.approval).await?;
        let reason = req.reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(AppError::new(
                ErrorCode::ReasonRequired,
                "an adjustment needs a reason (1 to 200 characters)",
            ));
        }
        let now = self.services.clock.now();
        let clock_in = Timestamp::from_millis(req.clock_in);
        let clock_out = req.clock_out.map(Timestamp::from_millis);
        let day = 86_400_000;
        let fits = clock_in <= now
            && clock_in.millis() > now.millis().saturating_sub(400 * day)
            && clock_out.is_none_or(|out| {
                out >= clock_in && out <= now && out.millis().saturating_sub(clock_in.millis()) <= day
            });
        if !fits {
            return Err(AppError::invalid(
                "clock_in must be in the past year and clock_out after it, within 24 hours, and not in the future",
            ));
        }
        let (staff, date) = if let Some(id) = req.shift {
            let shift = self
                .store
                .shift(id)
                .await?
                .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no shift {id}")))?;
            // The shift counts on the business day its (new) clock-in falls on.
            (shift.staff, self.restaurant.business_date(clock_in))
        } else {
            let id = req
                .staff
                .as_deref()
                .ok_or_else(|| AppError::invalid("name the shift to adjust, or the staff to add one for"))?;
            let (member, _) = self.member(id).await?;
            (member.id, self.restaurant.business_date(clock_in))
        };
        let everyone: Vec<Staff> = self.store.all_staff().await?.into_iter().map(|(s, _)| s).collect();
        let role = everyone
            .iter()
            .find(|s| s.id == staff)
            .map_or(fynlo_core::staff::Role::Owner, |s| s.role);
        Self::within_role(&editor, &everyone, role)?;
        let shift = self
            .store
            .adjust_shift(
                &ShiftTimes {
                    id: req.shift,
                    staff: &staff,
                    business_date: &date,
                    clock_in,
                    clock_out,
                    reason,
                },
                &self.write_now(&editor),
            )
            .await?;
        Ok(Reply::Shifts(ShiftsView {
            shifts: vec![self.shift_view(&shift, now)],
        }))
    }

    /// A period's tips and service charge, allocated by the restaurant's rule.
    async fn tip_shares(&self, from: &BusinessDate, to: &BusinessDate) -> Result<Vec<view::TipShareView>, AppError> {
        let orders = self.store.orders_between(from, to).await?;
        let mut by_server: Vec<(StaffId, Minor, Minor)> = Vec::new();
        for o in orders
            .iter()
            .filter(|o| o.state() == fynlo_core::order::OrderState::Completed)
        {
            for share in o.gratuity()? {
                by_server.push((share.staff, share.tips, share.service_charge));
            }
        }
        let now = self.services.clock.now();
        let shifts = self.store.shifts_between(from, to).await?;
        let everyone: Vec<Staff> = self.store.all_staff().await?.into_iter().map(|(s, _)| s).collect();
        let mut worked: Vec<(StaffId, fynlo_core::staff::Role, i64)> = Vec::new();
        for s in &shifts {
            let role = everyone
                .iter()
                .find(|m| m.id == s.staff)
                .map_or(fynlo_core::staff::Role::Cashier, |m| m.role);
            worked.push((s.staff.clone(), role, s.worked_ms(now) / 60_000));
        }
        let names = |id: &StaffId| self.staff_name(id);
        let shares = allocate_tips(
            &TipInputs {
                by_server: &by_server,
                worked: &worked,
            },
            &self.restaurant.staff_policy,
            &names,
        )?;
        Ok(shares.iter().map(TipShareView::from).collect())
    }

    /// `tips`: the pay period's allocation (not yet recorded), with the rule and the written policy.
    pub(crate) async fn tips(&mut self, req: TipsPeriod) -> Result<Reply, AppError> {
        self.authorise(Permission::SeeReports, req.approval).await?;
        let (from, to) = self.period(req.date.as_deref())?;
        let shares = self.tip_shares(&from, &to).await?;
        let policy = &self.restaurant.staff_policy;
        Ok(Reply::Tips(TipAllocationView {
            from: from.to_string(),
            to: to.to_string(),
            rule: policy.tip_rule,
            policy: policy.tipping_policy.clone(),
            shares,
        }))
    }

    /// `record_tips`: the period's allocation recorded as paid out on `paid_on`; kept for good.
    pub(crate) async fn record_tips(&mut self, req: RecordTips) -> Result<Reply, AppError> {
        let by = self.authorise(Permission::EditStaff, req.approval).await?;
        let (from, to) = self.period(req.date.as_deref())?;
        let paid_on = BusinessDate::parse(&req.paid_on)?;
        if paid_on < from {
            return Err(AppError::invalid("tips are paid out after the period starts"));
        }
        let today = self.restaurant.business_date(self.services.clock.now());
        if to >= today {
            return Err(AppError::invalid("a pay period is recorded once it has ended"));
        }
        // An open shift would count its hours up to now: every shift of the period must be closed.
        if self
            .store
            .shifts_between(&from, &to)
            .await?
            .iter()
            .any(|s| s.clock_out.is_none())
        {
            return Err(AppError::new(
                ErrorCode::TimeClockRule,
                "someone is still clocked in for that period: clock them out or correct the shift first",
            ));
        }
        let rule = self.restaurant.staff_policy.tip_rule.as_str().to_owned();
        let records: Vec<TipRecord> = self
            .tip_shares(&from, &to)
            .await?
            .into_iter()
            .map(|s| {
                Ok(TipRecord {
                    period_from: from.clone(),
                    period_to: to.clone(),
                    staff: StaffId::new(&s.staff)?,
                    name: s.name,
                    tips: Minor::new(s.tips.0),
                    service_charge: Minor::new(s.service_charge.0),
                    minutes: s.minutes,
                    rule: rule.clone(),
                    paid_on: paid_on.clone(),
                    recorded_by: by.clone(),
                    recorded_at: self.services.clock.now(),
                })
            })
            .collect::<Result<_, AppError>>()?;
        if records.is_empty() {
            return Err(AppError::new(
                ErrorCode::NothingToDo,
                "no tips, service charge or time worked in that period",
            ));
        }
        self.store.record_tips(&records, &self.write_now(&by)).await?;
        Ok(Reply::TipsRecords(TipsRecordsView {
            records: records.iter().map(TipRecordView::from).collect(),
        }))
    }

    /// `tips_records`: what was recorded; a member sees their own without a permission.
    pub(crate) async fn tips_records(&mut self, req: TipsQuery) -> Result<Reply, AppError> {
        let me = self.require_staff()?.id.clone();
        let only = req.staff.as_deref().map(StaffId::new).transpose()?;
        if only.as_ref() != Some(&me) {
            self.authorise(Permission::SeeReports, req.approval).await?;
        }
        let records = self.store.tips_records(only.as_ref()).await?;
        Ok(Reply::TipsRecords(TipsRecordsView {
            records: records.iter().map(TipRecordView::from).collect(),
        }))
    }

    /// `export_tips`: one worker's records as CSV (their own needs no permission).
    pub(crate) async fn export_tips(&mut self, req: TipsQuery) -> Result<Reply, AppError> {
        let me = self.require_staff()?.id.clone();
        let staff = StaffId::new(
            req.staff
                .as_deref()
                .ok_or_else(|| AppError::invalid("name the member of staff (staff)"))?,
        )?;
        if staff != me {
            self.authorise(Permission::SeeReports, req.approval).await?;
        }
        let records = self.store.tips_records(Some(&staff)).await?;
        let mut csv =
            String::from("period_from,period_to,staff,name,tips,service_charge,minutes,rule,paid_on,recorded_by\n");
        for r in &records {
            let cells = [
                r.period_from.to_string(),
                r.period_to.to_string(),
                r.staff.to_string(),
                r.name.clone(),
                r.tips.get().to_string(),
                r.service_charge.get().to_string(),
                r.minutes.to_string(),
                r.rule.clone(),
                r.paid_on.to_string(),
                r.recorded_by.to_string(),
            ];
            csv.push_str(&cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
            csv.push('\n');
        }
        Ok(Reply::Export(crate::shifts::view::ExportView {
            filename: format!("tips-{staff}.csv"),
            mime: "text/csv".into(),
            content: csv,
        }))
    }

    /// `tipping_policy`: the written policy every member of staff may read.
    pub(crate) fn tipping_policy(&self) -> Reply {
        let policy = &self.restaurant.staff_policy;
        Reply::Tips(TipAllocationView {
            from: String::new(),
            to: String::new(),
            rule: policy.tip_rule,
            policy: policy.tipping_policy.clone(),
            shares: Vec::new(),
        })
    }

    /// A member's open shift that they forgot to clock out of, for the login reply.
    pub(crate) async fn forgotten_shift(&self, member: &StaffId) -> Result<Option<i64>, AppError> {
        let now = self.services.clock.now();
        let today = self.restaurant.business_date(now);
        let open = self.store.open_shift(member).await?;
        Ok(open
            .filter(|s| s.forgotten(&today, now, self.restaurant.staff_policy.forgotten_after_hours))
            .map(|s| s.clock_in.millis()))
    }
}
