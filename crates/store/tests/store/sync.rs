//! The till's side of the sync in its database: the pairing a till's sales tie it to, and the cloud's
//! cursor that only moves forward.

use fynlo_core::time::Timestamp;
use fynlo_store::{Error, Pairing, SyncNote};
use serde_json::json;

use crate::{raw, Fixture};

fn pairing(restaurant: &str) -> Pairing {
    Pairing {
        cloud_url: "https://cloud.example".into(),
        restaurant_id: restaurant.into(),
        device_name: "Counter".into(),
        paired_at: Timestamp::from_millis(1_000),
        revoked: false,
    }
}

async fn write_ops(f: &Fixture, count: usize) {
    for _ in 0..count {
        f.store
            .record_op("auth.logged_in", &json!({"staff": "alex"}), &f.write())
            .await
            .expect("an op is written");
    }
}

fn note(seq: i64) -> SyncNote {
    SyncNote {
        seq,
        op_id: format!("op-{seq}"),
        op_type: "auth.logged_in".into(),
        outcome: "rejected".into(),
        code: "invalid_input".into(),
        message: "no".into(),
        at: Timestamp::from_millis(2_000),
    }
}

#[tokio::test]
async fn a_till_whose_sales_reached_one_restaurant_cannot_join_another() {
    let f = Fixture::new().await;
    write_ops(&f, 3).await;
    // Before anything is pushed a till may be paired anywhere (a wrong code corrected).
    f.store.set_pairing(Some(&pairing("r-one"))).await.expect("pairs");
    f.store
        .set_pairing(Some(&pairing("r-two")))
        .await
        .expect("pairs elsewhere: nothing was pushed");
    f.store
        .record_push(2, &[], Timestamp::from_millis(1_500))
        .await
        .expect("records");
    // Once ops went to r-two, another restaurant is refused and the pairing stays as it was.
    let refused = f.store.set_pairing(Some(&pairing("r-three"))).await;
    assert!(matches!(refused, Err(Error::Sync(_))), "{refused:?}");
    let kept = f.store.pairing().await.expect("reads").expect("still paired");
    assert_eq!(kept.restaurant_id, "r-two");
    // Unpaired, the till still remembers where its sales went.
    f.store.set_pairing(None).await.expect("unpairs");
    assert_eq!(f.store.pairing().await.expect("reads"), None);
    let refused = f.store.set_pairing(Some(&pairing("r-three"))).await;
    assert!(matches!(refused, Err(Error::Sync(_))), "{refused:?}");
    assert_eq!(f.store.pairing().await.expect("reads"), None);
    // The same restaurant again is fine, and the cursor goes on from where it was.
    f.store.set_pairing(Some(&pairing("r-two"))).await.expect("pairs again");
    assert_eq!(f.store.sync_state().await.expect("state").pushed_through, 2);
}

#[tokio::test]
async fn the_clouds_cursor_only_moves_forward_and_never_past_the_journal() {
    let f = Fixture::new().await;
    write_ops(&f, 5).await;
    f.store
        .record_push(4, &[note(3)], Timestamp::from_millis(1_500))
        .await
        .expect("records");
    // A late answer (an older cursor) changes nothing.
    f.store
        .record_push(2, &[note(1)], Timestamp::from_millis(1_600))
        .await
        .expect("ignored");
    let state = f.store.sync_state().await.expect("state");
    assert_eq!((state.pushed_through, state.notes), (4, 1));
    // A cursor beyond what the till wrote, or a note beyond the cursor, is refused whole.
    let beyond = f.store.record_push(9, &[], Timestamp::from_millis(1_700)).await;
    assert!(matches!(beyond, Err(Error::Corrupt(_))), "{beyond:?}");
    let stray = f
        .store
        .record_push(5, &[note(4), note(6)], Timestamp::from_millis(1_700))
        .await;
    assert!(matches!(stray, Err(Error::Corrupt(_))), "{stray:?}");
    let state = f.store.sync_state().await.expect("state");
    assert_eq!(
        (state.pushed_through, state.notes),
        (4, 1),
        "nothing of the refused answers was kept"
    );
    // Moving it back by hand is refused by the database itself.
    let mut conn = raw(&f.path).await;
    let back = sqlx::query("UPDATE sync_state SET pushed_through = 1 WHERE id = 1")
        .execute(&mut conn)
        .await;
    assert!(back.is_err(), "the trigger refuses a cursor moving back");
    assert_eq!(f.store.sync_state().await.expect("state").pushed_through, 4);
}
