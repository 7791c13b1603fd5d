//! Kitchen tickets: what one send (or one void) asks of each station, one document per station, with no
//! prices. The table (or TAKEAWAY) and the quantities are large, because a ticket is read at arm's length
//! on a rail; notes are marked `**` so they are not missed.
//!
//! Lines are grouped by course, in the order the courses are served (starter, main, dessert). Lines with
//! no course come first, under no heading of their own unless the ticket also has coursed lines: nothing
//! holds them back for a course, so the kitchen starts on them first. Within a group, lines keep the
//! order the caller gave them.

use super::{Block, Document, DocumentKind, Size, Style};
use crate::{
    ids::{LineNo, StaffId, StationId},
    order::{Course, Line, Order, OrderKind},
    Error, Result,
};

/// The banner at the top of a void ticket.
pub const VOID: &str = "VOID";

/// Columns a line's details are indented under it.
const INDENT: u8 = 2;

/// What a ticket needs that the order does not hold.
#[derive(Clone, Copy)]
pub struct TicketContext<'a> {
    /// The local time of the send or void, already formatted by the app ("21:50").
    pub time: &'a str,
    /// A member of staff's name as the kitchen knows them.
    pub staff_name: &'a dyn Fn(&StaffId) -> String,
}

/// The tickets for lines just sent to the kitchen: one per station the lines go to, stations in the order
/// they first appear in `sent`. A line named twice prints once. A line the order does not have is
/// [`Error::UnknownLine`]; a voided line is [`Error::LineVoid`] (the kitchen must not start on it).
pub fn kitchen_tickets(order: &Order, sent: &[LineNo], ctx: &TicketContext<'_>) -> Result<Vec<(StationId, Document)>> {
    let stations = by_station(order, sent, |line| match line.void {
        Some(_) => Err(Error::LineVoid(line.no)),
        None => Ok(()),
    })?;
    Ok(stations
        .into_iter()
        .map(|(station, lines)| {
            let mut doc = Document::new(DocumentKind::KitchenTicket);
            header(&mut doc, order, &station, ctx);
            push_courses(&mut doc, &lines, false);
            (station, doc)
        })
        .collect())
}

/// The void tickets for lines just voided: per station, a VOID banner, the same header as a ticket, and
/// each voided line with its quantity and the reason. A line the order does not have is
/// [`Error::UnknownLine`]; one that is not voided is refused, so the kitchen never stops work on food
/// still ordered.
pub fn void_tickets(order: &Order, voided: &[LineNo], ctx: &TicketContext<'_>) -> Result<Vec<(StationId, Document)>> {
    let stations = by_station(order, voided, |line| match line.void {
        Some(_) => Ok(()),
        None => Err(Error::InvalidField {
            field: "voided",
            reason: format!("line {} is not void", line.no),
        }),
    })?;
    Ok(stations
        .into_iter()
        .map(|(station, lines)| {
            let mut doc = Document::new(DocumentKind::VoidTicket);
            header(&mut doc, order, &station, ctx);
            push_courses(&mut doc, &lines, true);
            (station, doc.with_banner(VOID))
        })
        .collect())
}

/// The lines named, checked, grouped by station in order of first appearance.
fn by_station<'o>(
    order: &'o Order,
    nos: &[LineNo],
    check: impl Fn(&Line) -> Result<()>,
) -> Result<Vec<(StationId, Vec<&'o Line>)>> {
    let mut stations: Vec<(StationId, Vec<&Line>)> = Vec::new();
    for (i, &no) in nos.iter().enumerate() {
        let line = order.line(no)?;
        check(line)?;
        if nos[..i].contains(&no) {
            continue;
        }
        match stations.iter_mut().find(|(s, _)| *s == line.station) {
            Some((_, lines)) => lines.push(line),
            None => stations.push((line.station.clone(), vec![line])),
        }
    }
    Ok(stations)
}

/// The station's name, the table or TAKEAWAY (large), the order number, time and server.
fn header(doc: &mut Document, order: &Order, station: &StationId, ctx: &TicketContext<'_>) {
    let name = station.as_str().replace(['-', '_', '.'], " ").to_uppercase();
    doc.push(Block::text(name, Style::center().with_bold().with_size(Size::Tall)));
    doc.push(Block::rule());
    let large = Style::bold().with_size(Size::Double);
    match order.kind() {
        OrderKind::DineIn { table, covers } => {
            doc.push(Block::text(format!("TABLE {table}"), large));
            let s = if *covers == 1 { "" } else { "S" };
            doc.push(Block::text(format!("{covers} COVER{s}"), Style::bold()));
        }
        OrderKind::Takeaway => {
            doc.push(Block::text("TAKEAWAY", large));
        }
    }
    doc.push(Block::row(
        format!("Order #{}", order.number()),
        ctx.time.trim(),
        Style::bold(),
    ));
    doc.push(Block::text(
        format!("Server: {}", super::receipt::servers(order, ctx.staff_name)),
        Style::NORMAL,
    ));
    doc.push(Block::rule());
}

/// Where a course is served: lines with none first (see the module docs).
const fn rank(course: Option<Course>) -> u8 {
    match course {
        None => 0,
        Some(Course::Starter) => 1,
        Some(Course::Main) => 2,
        Some(Course::Dessert) => 3,
    }
}

fn course_name(course: Option<Course>) -> &'static str {
    match course {
        None => "NO COURSE",
        Some(Course::Starter) => "STARTER",
        Some(Course::Main) => "MAIN",
        Some(Course::Dessert) => "DESSERT",
    }
}

/// The lines by course, each under its heading (lines with no course get one only beside coursed ones).
fn push_courses(doc: &mut Document, lines: &[&Line], void: bool) {
    let mut courses: Vec<Option<Course>> = Vec::new();
    for line in lines {
        if !courses.contains(&line.course) {
            courses.push(line.course);
        }
    }
    courses.sort_by_key(|c| rank(*c));
    let headed = courses.iter().any(Option::is_some);
    for course in courses {
        if headed {
            doc.push(Block::text(
                format!("-- {} --", course_name(course)),
                Style::center().with_bold(),
            ));
        }
        for line in lines.iter().filter(|l| l.course == course) {
            push_line(doc, line, void);
        }
    }
}

/// "2 x Burger" large and bold, then indented: the seat, the variant, the modifiers, the note (marked),
/// and on a void ticket the reason.
fn push_line(doc: &mut Document, line: &Line, void: bool) {
    doc.push(Block::text(
        format!("{} x {}", line.quantity, line.name),
        Style::bold().with_size(Size::Double),
    ));
    let under = Style::NORMAL.with_indent(INDENT);
    if let Some(seat) = line.seat {
        doc.push(Block::text(format!("Seat {seat}"), under.with_bold()));
    }
    if let Some(v) = &line.variant {
        doc.push(Block::text(v.name.as_str(), under.with_bold()));
    }
    for m in &line.modifiers {
        doc.push(Block::text(m.name.as_str(), under));
    }
    if let Some(note) = &line.note {
        doc.push(Block::text(format!("** {note}"), under.with_bold()));
    }
    if void {
        if let Some(v) = &line.void {
            doc.push(Block::text(format!("Reason: {}", v.reason), under));
        }
    }
}
