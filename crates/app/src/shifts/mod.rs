//! The shifts area (SPEC §7): the cash drawer's sessions (a float counted by denomination, pay-ins and
//! pay-outs, the count and over/short at the close), the X and Z reports, and the audit log.
//!
//! A report's figures are worked out by the core ([`fynlo_core::report`]) from the orders as stored —
//! every order with anything since the last Z, replayed from its history — and the session's cash
//! movements. A Z closes the session: the report is stored as it was produced, numbered, and never
//! changes; its op carries it (and the day's report in the cloud's shape) to the outbox.

pub mod request;
pub mod view;

use fynlo_core::{
    cash::{CashFigures, MovementKind},
    ids::StaffId,
    order::Order,
    permission::Permission,
    report::{Figures, Inputs, Report, ReportKind, Window},
    time::Timestamp,
    Minor,
};
use fynlo_store::{Close, DrawerSession};

use crate::{
    error::{AppError, ErrorCode},
    printing::spec::JobSpec,
    till::Till,
    view::Reply,
};
use request::{
    AuditQuery, CashMovement, CloseSession, ExportFormat, ExportReport, Listing, OpenSession, PrintReport,
    ReportAccess, ZReportRef,
};
use view::{AuditView, DrawerView, ExportView, MovementView, ReportView, ReportsView, SessionInfoView};

fn session_rule(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::SessionRule, message)
}

/// A listing's limit: 1 to 500, 50 when left out.
fn limit_of(limit: Option<u32>) -> Result<u32, AppError> {
    match limit {
        None => Ok(50),
        Some(n @ 1..=500) => Ok(n),
        Some(_) => Err(AppError::invalid("limit must be 1 to 500")),
    }
}

impl Till {
    /// The figures of `session` (or of the time since the last Z when none is open) up to now, with
    /// the drawer counted at `counted` for a Z.
    async fn figures(
        &mut self,
        session: Option<&DrawerSession>,
        counted: Option<Minor>,
    ) -> Result<(Figures, Window), AppError> {
        // What the reports read must include every change made, so edits still in memory are saved.
        self.save_drafts().await?;
        let now = self.services.clock.now();
        // Everything after the last Z: what happened in its last millisecond is in it.
        let from = self.store.last_close().await?.map_or(Timestamp::from_millis(0), |t| {
            Timestamp::from_millis(t.millis().saturating_add(1))
        });
        let window = Window {
            from,
            to: Timestamp::from_millis(now.millis().saturating_add(1)),
        };
        let cash_window = Window {
            from: session.map_or(window.to, |s| s.opened_at),
            to: window.to,
        };
        let mut cash = CashFigures {
            float: session.map_or(Minor::ZERO, |s| s.float),
            ..CashFigures::default()
        };
        if let Some(s) = session {
            for m in self.store.movements(s.number).await? {
                match m.kind {
                    MovementKind::PayIn => cash.pay_ins = cash.pay_ins.checked_add(m.amount)?,
                    MovementKind::PayOut => cash.pay_outs = cash.pay_outs.checked_add(m.amount)?,
                    MovementKind::NoSale => cash.no_sales = cash.no_sales.saturating_add(1),
                }
            }
        }
        let orders: Vec<Order> = self
            .store
            .orders_touched_since(window.from.min(cash_window.from))
            .await?;
        let names = |id: &StaffId| self.staff_name(id);
        let figures = Figures::compute(&Inputs {
            orders: &orders,
            window,
            cash_window,
            cash,
            counted,
            zone: &self.restaurant.time_zone,
            name_of: &names,
        })?;
        Ok((figures, window))
    }

    /// `drawer`: the open session, what the drawer should hold now, and its movements.
    pub(crate) async fn drawer(&mut self) -> Result<Reply, AppError> {
        let Some(session) = self.store.open_session().await? else {
            return Ok(Reply::Drawer(DrawerView {
                session: None,
                cash: None,
                movements: Vec::new(),
            }));
        };
        let (figures, _) = self.figures(Some(&session), None).await?;
        let movements = self.store.movements(session.number).await?;
        Ok(Reply::Drawer(DrawerView {
            session: Some(SessionInfoView::from(&session)),
            cash: Some(figures.cash),
            movements: movements.iter().map(MovementView::from).collect(),
        }))
    }

    /// `open_session`: counts the float in and opens the drawer's session.
    pub(crate) async fn open_session(&mut self, req: OpenSession) -> Result<Reply, AppError> {
        let asked = self.require_staff()?.id.clone();
        let by = self.authorise(Permission::CloseSession, req.approval).await?;
        if let Some(open) = self.store.open_session().await? {
            return Err(session_rule(format!(
                "drawer session {} is still open: close it (Z report) first",
                open.number
            )));
        }
        let now = self.services.clock.now();
        let date = self.restaurant.business_date(now);
        self.store
            .open_drawer_session(&date, &req.float, &asked, &self.write_now(&by))
            .await?;
        self.drawer().await
    }

    /// `pay_in` and `pay_out`: cash into or out of the open session's drawer, with a reason.
    pub(crate) async fn cash_movement(&mut self, req: CashMovement, kind: MovementKind) -> Result<Reply, AppError> {
        let who = self.require_staff()?.id.clone();
        let approver = self.authorise(Permission::PayInOut, req.approval).await?;
        let amount = Minor::new(req.amount);
        fynlo_core::cash::check_movement(kind, amount, &req.reason)?;
        let session = self
            .store
            .open_session()
            .await?
            .ok_or_else(|| session_rule("no drawer session is open: open one with a float first"))?;
        if kind == MovementKind::PayOut {
            // The drawer cannot give out more than it should hold.
            let (figures, _) = self.figures(Some(&session), None).await?;
            if amount > figures.cash.expected {
                return Err(session_rule(format!(
                    "the drawer should hold only {}: a pay-out cannot be more",
                    fynlo_core::Money::gbp(figures.cash.expected.get()).format_en_gb()
                )));
            }
        }
        let approved_by = (approver != who).then_some(&approver);
        self.store
            .add_movement(
                session.number,
                kind,
                amount,
                &req.reason,
                approved_by,
                &self.write_now(&who),
            )
            .await?;
        self.drawer().await
    }

    /// `x_report`: the open session's figures now. Nothing is reset or stored.
    pub(crate) async fn x_report(&mut self, req: ReportAccess) -> Result<Reply, AppError> {
        let by = self.authorise(Permission::SeeReports, req.approval).await?;
        let report = self.x(&by).await?;
        Ok(Reply::Report(Box::new(ReportView { report, printed: false })))
    }

    async fn x(&mut self, by: &StaffId) -> Result<Report, AppError> {
        let session = self.store.open_session().await?;
        let (figures, window) = self.figures(session.as_ref(), None).await?;
        let now = self.services.clock.now();
        Ok(Report {
            kind: ReportKind::X,
            z_number: None,
            session: session.as_ref().map_or(0, |s| s.number),
            business_date: session
                .as_ref()
                .map_or_else(|| self.restaurant.business_date(now), |s| s.business_date.clone()),
            window,
            carried: Vec::new(),
            opened_by: session
                .as_ref()
                .map_or_else(String::new, |s| self.staff_name(&s.opened_by)),
            by: self.staff_name(by),
            note: None,
            figures,
        })
    }

    /// `close_session`: the count, the over/short (a note is required when there is one), and the Z
    /// report, stored and numbered. Orders still open stop the close unless the manager carries them.
    pub(crate) async fn close_session(&mut self, req: CloseSession) -> Result<Reply, AppError> {
        let asked = self.require_staff()?.id.clone();
        let by = self.authorise(Permission::CloseSession, req.approval).await?;
        let session = self
            .store
            .open_session()
            .await?
            .ok_or_else(|| session_rule("no drawer session is open"))?;
        self.save_drafts().await?;
        // A payment or refund still waiting for its provider would land in no report: settle it first.
        let in_flight = self.store.orders_with_attempts_in_flight().await?;
        if !in_flight.is_empty() {
            return Err(session_rule(format!(
                "{} order(s) have a card or pay-by-bank payment or refund still waiting for the provider: \
                 check or cancel it first",
                in_flight.len()
            )));
        }
        // A clock set back before the last Z would put sales outside every report.
        let now = self.services.clock.now();
        if let Some(last) = self.store.last_close().await? {
            if now <= last {
                return Err(session_rule(format!(
                    "the till's clock reads {}, not after the last Z at {}: set the clock right first",
                    self.restaurant.time_zone.format(now),
                    self.restaurant.time_zone.format(last)
                )));
            }
        }
        let open = self.store.open_orders().await?;
        let carry = req.carry_open_orders.unwrap_or(false);
        if !open.is_empty() && !carry {
            let list: Vec<String> = open.iter().take(10).map(|o| format!("#{}", o.number())).collect();
            return Err(session_rule(format!(
                "{} order(s) are still open ({}{}): settle or cancel them first, or close with \
                 carry_open_orders to carry them into the next session",
                open.len(),
                list.join(", "),
                if open.len() > 10 { ", …" } else { "" }
            )));
        }
        // A note says something: at least one letter or digit.
        let note = req
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| n.chars().any(char::is_alphanumeric));
        if let Some(n) = note {
            if n.chars().count() > 500 || n.chars().any(|c| c.is_control() && c != '\n') {
                return Err(AppError::invalid("a note is up to 500 characters"));
            }
        }
        let counted = req.count.total()?;
        let (figures, window) = self.figures(Some(&session), Some(counted)).await?;
        let over_short = figures.cash.over_short.unwrap_or(Minor::ZERO);
        if !over_short.is_zero() && note.is_none() {
            let what = if over_short.is_negative() { "short" } else { "over" };
            return Err(AppError::new(
                ErrorCode::ReasonRequired,
                format!(
                    "the drawer is {} {what} (expected {}, counted {}): a note is required",
                    fynlo_core::Money::gbp(over_short.get().abs()).format_en_gb(),
                    fynlo_core::Money::gbp(figures.cash.expected.get()).format_en_gb(),
                    fynlo_core::Money::gbp(counted.get()).format_en_gb(),
                ),
            ));
        }
        let z_number = self.store.next_z_number().await?;
        let report = Report {
            kind: ReportKind::Z,
            z_number: Some(z_number),
            session: session.number,
            business_date: session.business_date.clone(),
            window,
            carried: open
                .iter()
                .map(|o| format!("#{} ({})", o.number(), o.business_date()))
                .collect(),
            opened_by: self.staff_name(&session.opened_by),
            by: self.staff_name(&by),
            note: note.map(str::to_owned),
            figures,
        };
        let stored = serde_json::to_value(&report).map_err(|e| AppError::invalid(format!("report: {e}")))?;
        let daily = serde_json::to_value(self.daily_of(&report).await?)
            .map_err(|e| AppError::invalid(format!("report: {e}")))?;
        self.store
            .close_drawer_session(
                &Close {
                    session: session.number,
                    count: &req.count,
                    counted,
                    expected: report.figures.cash.expected,
                    over_short,
                    note,
                    z_number,
                    report: &stored,
                    daily: &daily,
                    requested_by: &asked,
                },
                &self.write_now(&by),
            )
            .await?;
        let printed = if req.print.unwrap_or(false) {
            self.print_page(&report, None).await?;
            true
        } else {
            false
        };
        Ok(Reply::Report(Box::new(ReportView { report, printed })))
    }

    /// The day's report in the cloud's shape, with who worked how long (the time clock's shifts of the
    /// report's business days).
    async fn daily_of(&self, report: &Report) -> Result<fynlo_core::report::DailyReport, AppError> {
        let mut daily = report.daily();
        let now = self.services.clock.now();
        let today = self.restaurant.business_date(now);
        let shifts = self.store.shifts_between(&report.business_date, &today).await?;
        let mut minutes: std::collections::BTreeMap<StaffId, i64> = std::collections::BTreeMap::new();
        for s in &shifts {
            *minutes.entry(s.staff.clone()).or_default() += s.worked_ms(now) / 60_000;
        }
        daily.staff_shifts = minutes
            .into_iter()
            .map(|(staff, m)| fynlo_core::report::StaffShift {
                name: self.staff_name(&staff),
                staff,
                minutes: u32::try_from(m).unwrap_or(u32::MAX),
            })
            .collect();
        Ok(daily)
    }

    /// A stored Z report.
    async fn stored_z(&self, number: Option<u32>) -> Result<Report, AppError> {
        let value = match number {
            Some(n) => self.store.z_report(n).await?,
            None => self.store.z_reports(1).await?.into_iter().next(),
        }
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                match number {
                    Some(n) => format!("no Z report {n}"),
                    None => "no Z report yet".into(),
                },
            )
        })?;
        serde_json::from_value(value).map_err(|e| AppError::new(ErrorCode::Storage, format!("stored Z report: {e}")))
    }

    /// `z_report`: a stored Z report (the newest when no number is given).
    pub(crate) async fn z_report(&mut self, req: ZReportRef) -> Result<Reply, AppError> {
        self.authorise(Permission::SeeReports, req.approval).await?;
        let report = self.stored_z(req.number).await?;
        Ok(Reply::Report(Box::new(ReportView { report, printed: false })))
    }

    /// `z_reports`: the stored Z reports, newest first.
    pub(crate) async fn z_reports(&mut self, req: Listing) -> Result<Reply, AppError> {
        self.authorise(Permission::SeeReports, req.approval).await?;
        let reports = self
            .store
            .z_reports(limit_of(req.limit)?)
            .await?
            .into_iter()
            .map(|v| {
                serde_json::from_value(v)
                    .map_err(|e| AppError::new(ErrorCode::Storage, format!("stored Z report: {e}")))
            })
            .collect::<Result<Vec<Report>, AppError>>()?;
        Ok(Reply::Reports(ReportsView { reports }))
    }

    /// `print_report`: prints a stored Z report again (marked as a reprint by its op in the audit log),
    /// or the X report now.
    pub(crate) async fn print_report(&mut self, req: PrintReport) -> Result<Reply, AppError> {
        let by = self.authorise(Permission::SeeReports, req.approval).await?;
        let report = match req.number {
            Some(n) => {
                let report = self.stored_z(Some(n)).await?;
                let payload = serde_json::json!({ "z_number": n });
                self.store
                    .record_op("report.reprinted", &payload, &self.write_now(&by))
                    .await?;
                report
            }
            None => self.x(&by).await?,
        };
        self.print_page(&report, req.printer.as_deref()).await?;
        Ok(Reply::Report(Box::new(ReportView { report, printed: true })))
    }

    async fn print_page(&mut self, report: &Report, printer: Option<&str>) -> Result<(), AppError> {
        let page = report.page(&self.restaurant.time_zone);
        let job = JobSpec::Report { page }.job(self.receipt_printer(printer)?)?;
        self.queue(&[job]).await?;
        Ok(())
    }

    /// `export_report`: a stored Z report (or the X report now) as CSV, JSON or the cloud's daily shape.
    pub(crate) async fn export_report(&mut self, req: ExportReport) -> Result<Reply, AppError> {
        let by = self.authorise(Permission::SeeReports, req.approval).await?;
        let report = match req.number {
            Some(n) => self.stored_z(Some(n)).await?,
            None => self.x(&by).await?,
        };
        let stem = match report.z_number {
            Some(n) => format!("z-report-{n}"),
            None => format!("x-report-{}", report.business_date),
        };
        let json = |v: serde_json::Result<String>| v.map_err(|e| AppError::invalid(format!("report: {e}")));
        let (filename, mime, content) = match req.format.unwrap_or(ExportFormat::Csv) {
            ExportFormat::Csv => (format!("{stem}.csv"), "text/csv", report.csv()),
            ExportFormat::Json => (
                format!("{stem}.json"),
                "application/json",
                json(serde_json::to_string_pretty(&report))?,
            ),
            ExportFormat::Daily => (
                format!("daily-{}.json", report.business_date),
                "application/json",
                json(serde_json::to_string_pretty(&self.daily_of(&report).await?))?,
            ),
        };
        Ok(Reply::Export(ExportView {
            filename,
            mime: mime.to_owned(),
            content,
        }))
    }

    /// `audit_log`: the newest entries and a check of the whole chain.
    pub(crate) async fn audit_log(&mut self, req: AuditQuery) -> Result<Reply, AppError> {
        self.authorise(Permission::SeeReports, req.approval).await?;
        let action = req.action.as_deref().map(str::trim).filter(|a| !a.is_empty());
        if action.is_some_and(|a| a.len() > 64) {
            return Err(AppError::invalid("action is at most 64 characters"));
        }
        let entries = self.store.audit_entries(limit_of(req.limit)?, action).await?;
        let check = self.store.verify_audit().await?;
        Ok(Reply::Audit(AuditView::new(&entries, &check)))
    }
}
