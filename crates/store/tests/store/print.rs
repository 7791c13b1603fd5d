//! Printers and print jobs (`print.rs`): the jobs a save causes are written in its transaction (all or
//! nothing), a job's states move forward only and a finished job never changes, a job left `sending`
//! becomes `uncertain` when the next worker starts, and printer changes go to the outbox.

use fynlo_core::{order::OrderCommand, time::Timestamp};
use fynlo_store::{Error, JobState, NewJob, Recorded};
use serde_json::json;

use crate::{add, count, dine_in, Fixture};

fn job(printer: &str, what: &str) -> NewJob {
    NewJob {
        printer: printer.to_owned(),
        spec: json!({ "what": what }),
    }
}

#[tokio::test]
async fn a_saves_jobs_are_written_with_it_and_only_with_it() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    let (order, _) = f.decide(&order, add("beer", Some("pint"), &[], 2)).expect("adds");
    let (sent, events) = f.decide(&order, OrderCommand::SendToKitchen).expect("sends");
    let recorded: Vec<Recorded> = events
        .into_iter()
        .map(|event| Recorded {
            event,
            staff: f.staff.clone(),
            at: sent.updated_at(),
        })
        .collect();
    // Saved on the wrong base version: refused, and no job is left behind, in the journal or the jobs.
    let refused = f
        .store
        .save_order_with_jobs(&sent, false, &recorded, &[job("bar", "ticket")], &f.ids)
        .await;
    assert!(matches!(refused, Err(Error::VersionConflict { .. })), "{refused:?}");
    assert!(f.store.waiting_jobs().await.expect("jobs").is_empty());
    assert_eq!(count(&mut f.raw().await, "print_jobs").await, 0);
}

#[tokio::test]
async fn jobs_of_a_save_share_its_commit_and_its_sequence() {
    let f = Fixture::new().await;
    let order = f.open_order(dine_in()).await.expect("opens");
    let (order, added) = f.decide(&order, add("beer", Some("pint"), &[], 2)).expect("adds");
    let (sent, send) = f.decide(&order, OrderCommand::SendToKitchen).expect("sends");
    let recorded: Vec<Recorded> = added
        .into_iter()
        .chain(send)
        .map(|event| Recorded {
            event,
            staff: f.staff.clone(),
            at: sent.updated_at(),
        })
        .collect();
    f.store
        .save_order_with_jobs(
            &sent,
            false,
            &recorded,
            &[job("bar", "ticket"), job("kitchen", "ticket")],
            &f.ids,
        )
        .await
        .expect("saves");
    let jobs = f.store.waiting_jobs().await.expect("jobs");
    assert_eq!(jobs.len(), 2);
    let last = f.store.outbox_after(0, 100).await.expect("outbox");
    let seq = last.last().expect("a row").seq;
    assert!(jobs
        .iter()
        .all(|j| j.cause_seq == Some(seq) && j.state == JobState::Pending));
    assert_eq!(jobs[0].printer, "bar");
    assert_eq!(jobs[1].spec, json!({ "what": "ticket" }));
    // The same save again (a retried send) is refused as a conflict and adds nothing.
    let again = f
        .store
        .save_order_with_jobs(&sent, false, &recorded, &[job("bar", "ticket")], &f.ids)
        .await;
    assert!(matches!(again, Err(Error::VersionConflict { .. })), "{again:?}");
    assert_eq!(f.store.waiting_jobs().await.expect("jobs").len(), 2);
    // Reopened, the jobs are there.
    let path = f.path.clone();
    let Fixture { store, dir, .. } = f;
    store.close().await.expect("closes");
    let store = fynlo_store::Store::open(&path).await.expect("reopens");
    assert_eq!(store.waiting_jobs().await.expect("jobs").len(), 2);
    store.close().await.expect("closes");
    // Made from the journal row again (the cursor set back by hand), they are still two.
    sqlx::query("UPDATE print_spool SET seq = 0")
        .execute(&mut crate::raw(&path).await)
        .await
        .expect("sets the cursor back");
    let store = fynlo_store::Store::open(&path).await.expect("reopens");
    assert_eq!(store.waiting_jobs().await.expect("jobs").len(), 2);
    drop(dir);
}

#[tokio::test]
async fn a_job_moves_forward_and_a_finished_one_never_changes() {
    let f = Fixture::new().await;
    let at = Timestamp::from_millis(1_000);
    let ids = f
        .store
        .add_jobs(&[job("bar", "a"), job("bar", "b")], at)
        .await
        .expect("adds");
    let [a, b] = ids[..] else { panic!("two ids") };
    // Done only from sending.
    assert!(matches!(
        f.store.job_done(a, at).await,
        Err(Error::JobNotChanged { .. })
    ));
    f.store.job_sending(a, at).await.expect("sending");
    assert_eq!(f.store.job(a).await.expect("job").attempts, 1);
    // Refused before any byte: pending again, with the error and a time to wait for.
    f.store
        .job_not_sent(a, "paper out", Timestamp::from_millis(5_000), at)
        .await
        .expect("put back");
    let ja = f.store.job(a).await.expect("job");
    assert_eq!(
        (ja.state, ja.reprint, ja.last_error.as_deref()),
        (JobState::Pending, false, Some("paper out"))
    );
    assert_eq!(ja.not_before, Timestamp::from_millis(5_000));
    // Cut off part-way: uncertain, with the banner; a later refusal keeps the banner.
    f.store.job_sending(a, at).await.expect("sending");
    f.store
        .job_uncertain(a, "connection reset", at, at)
        .await
        .expect("uncertain");
    f.store.job_sending(a, at).await.expect("sending");
    f.store.job_not_sent(a, "offline", at, at).await.expect("put back");
    let ja = f.store.job(a).await.expect("job");
    assert_eq!((ja.state, ja.reprint, ja.attempts), (JobState::Uncertain, true, 3));
    f.store.job_sending(a, at).await.expect("sending");
    f.store.job_done(a, at).await.expect("done");
    for refused in [
        f.store.job_sending(a, at).await,
        f.store.cancel_job(a, at).await,
        f.store.job_failed(a, "x", at).await,
    ] {
        assert!(matches!(refused, Err(Error::JobNotChanged { .. })), "{refused:?}");
    }
    // The table itself refuses a change to a finished job.
    let raw = sqlx::query("UPDATE print_jobs SET state = 'pending' WHERE id = ?")
        .bind(a)
        .execute(&mut f.raw().await)
        .await;
    assert!(raw.is_err());
    f.store.cancel_job(b, at).await.expect("cancels");
    assert!(f.store.waiting_jobs().await.expect("jobs").is_empty());
    assert!(matches!(f.store.job(99).await, Err(Error::JobNotFound(99))));
    assert!(matches!(f.store.job_sending(99, at).await, Err(Error::JobNotFound(99))));
}

#[tokio::test]
async fn a_job_left_sending_is_uncertain_for_the_next_worker() {
    let f = Fixture::new().await;
    let at = Timestamp::from_millis(1_000);
    let ids = f
        .store
        .add_jobs(&[job("bar", "a"), job("bar", "b")], at)
        .await
        .expect("adds");
    f.store.job_sending(ids[0], at).await.expect("sending");
    assert_eq!(f.store.interrupted_jobs(at).await.expect("marks"), 1);
    let jobs = f.store.waiting_jobs().await.expect("jobs");
    assert_eq!((jobs[0].state, jobs[0].reprint), (JobState::Uncertain, true));
    assert_eq!((jobs[1].state, jobs[1].reprint), (JobState::Pending, false));
}

#[tokio::test]
async fn printers_are_settings_in_the_outbox_and_removing_one_fails_its_jobs() {
    let f = Fixture::new().await;
    let w = f.write();
    f.store
        .put_printer("bar", &json!({ "name": "Bar" }), &w)
        .await
        .expect("adds");
    f.store
        .put_printer("kitchen", &json!({ "name": "Kitchen" }), &w)
        .await
        .expect("adds");
    f.store
        .put_printer("bar", &json!({ "name": "Bar 2" }), &w)
        .await
        .expect("changes");
    let printers = f.store.printers().await.expect("lists");
    assert_eq!(
        printers,
        vec![
            ("bar".to_owned(), json!({ "name": "Bar 2" })),
            ("kitchen".to_owned(), json!({ "name": "Kitchen" }))
        ]
    );
    f.store
        .add_jobs(&[job("bar", "a"), job("kitchen", "b")], w.at)
        .await
        .expect("adds");
    f.store.remove_printer("bar", &w).await.expect("removes");
    assert!(matches!(
        f.store.remove_printer("bar", &w).await,
        Err(Error::PrinterNotFound(_))
    ));
    let waiting = f.store.waiting_jobs().await.expect("jobs");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].printer, "kitchen");
    let ops = f.store.outbox_after(0, 100).await.expect("outbox");
    let printer_ops: Vec<_> = ops.iter().filter(|o| o.op_type == "printers.updated").collect();
    assert_eq!(printer_ops.len(), 4);
    assert_eq!(
        printer_ops[3].payload,
        json!({ "printers": [{ "id": "kitchen", "config": { "name": "Kitchen" } }] })
    );
}
