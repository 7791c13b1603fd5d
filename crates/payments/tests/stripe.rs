//! The Stripe card adapter against a fake Stripe started here on loopback, which speaks Stripe's HTTP:
//! form-encoded bodies, bearer secret keys, `Idempotency-Key` replays (and refusals of a key reused with
//! other parameters), 402 card errors carrying the intent, list pages with `has_more`, Stripe's test
//! payment methods. It checks approvals, declines, `requires_action`, manual capture, a timeout whose
//! payment went through (found again by key), Stripe's 500s, cancels, refunds and their limits.

#![allow(clippy::too_many_lines, reason = "each test walks one scenario")]

use std::time::Duration;

use fynlo_payments::{
    stripe::{Stripe, StripeConfig},
    IntentRequest, IntentStatus, Method, PaymentProvider, ProviderError, RefundStatus, SimOutcome,
};

#[path = "support/fake_stripe.rs"]
mod fake_stripe;
use fake_stripe::KEY;

fn config(url: &str) -> StripeConfig {
    StripeConfig {
        api_url: url.to_owned(),
        secret_key: KEY.into(),
        payment_method: None,
        manual_capture: false,
        timeout_seconds: 5,
    }
}

fn request(n: u32, amount: i64, simulate: SimOutcome) -> IntentRequest {
    IntentRequest {
        payment_id: format!("0195-payment-{n}"),
        idempotency_key: format!("fynlo-key-{n}"),
        amount,
        currency: "gbp".into(),
        method: Method::Card,
        simulate: Some(simulate),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_declines_authentication_and_refunds_speak_stripes_http() {
    let (url, state) = fake_stripe::start().await;
    let stripe = Stripe::new(config(&url)).expect("settings");

    // Approved: created, confirmed, succeeded; our ids in metadata; the same key again is the same
    // intent, and no second one is made.
    let paid = stripe
        .create(&request(1, 1945, SimOutcome::Approve))
        .await
        .expect("answer");
    assert_eq!(
        (paid.status, paid.amount, paid.payment_id.as_str()),
        (IntentStatus::Succeeded, 1945, "0195-payment-1")
    );
    let again = stripe
        .create(&request(1, 1945, SimOutcome::Approve))
        .await
        .expect("answer");
    assert_eq!(again.id, paid.id);
    assert_eq!(state.lock().expect("lock").intents.len(), 1, "one intent for one key");
    // The same key with another amount is Stripe's idempotency error, refused.
    let reused = stripe.create(&request(1, 2000, SimOutcome::Approve)).await;
    assert!(
        matches!(&reused, Err(ProviderError::Refused(m)) if m.contains("idempotency_error")),
        "{reused:?}"
    );

    // Declined (HTTP 402): an answer with the decline code, not an error.
    let declined = stripe
        .create(&request(2, 800, SimOutcome::Decline))
        .await
        .expect("answer");
    assert_eq!(
        (declined.status, declined.last_payment_error.as_deref()),
        (IntentStatus::RequiresPaymentMethod, Some("generic_decline"))
    );
    let broke = stripe
        .create(&request(3, 800, SimOutcome::InsufficientFunds))
        .await
        .expect("answer");
    assert_eq!(broke.last_payment_error.as_deref(), Some("insufficient_funds"));
    // Asked again with its key, a decline stays a decline (the replayed 402).
    let replay = stripe
        .create(&request(3, 800, SimOutcome::InsufficientFunds))
        .await
        .expect("answer");
    assert_eq!(
        (replay.id, replay.status),
        (broke.id.clone(), IntentStatus::RequiresPaymentMethod)
    );

    // 3-D Secure: requires_action; cancelled before the customer finishes; cancelling again answers
    // the cancelled intent; a paid one cannot be cancelled and is answered as paid.
    let action = stripe
        .create(&request(4, 1200, SimOutcome::RequiresAction))
        .await
        .expect("answer");
    assert_eq!(
        (action.status, action.next_action.as_deref()),
        (IntentStatus::RequiresAction, Some("use_stripe_sdk"))
    );
    let cancelled = stripe.cancel(&action.id).await.expect("cancelled");
    assert_eq!(cancelled.status, IntentStatus::Canceled);
    assert_eq!(
        stripe.cancel(&action.id).await.expect("again").status,
        IntentStatus::Canceled
    );
    assert_eq!(
        stripe.cancel(&paid.id).await.expect("paid").status,
        IntentStatus::Succeeded
    );
    assert_eq!(
        stripe.retrieve(&paid.id).await.expect("read").status,
        IntentStatus::Succeeded
    );
    assert!(matches!(
        stripe.retrieve("pi_nothing").await,
        Err(ProviderError::Refused(_))
    ));

    // Found by our key (a list of the last day, newest first, 100 a page); a key never sent is None.
    assert_eq!(
        stripe.find("fynlo-key-2").await.expect("found").map(|i| i.id),
        Some(declined.id.clone())
    );
    assert_eq!(stripe.find("fynlo-key-never").await.expect("asked"), None);

    // Refunds: part, then the rest; more than is left is refused; found by key; the same key again
    // is the same refund.
    let part = stripe.refund(&paid.id, 945, "fynlo-refund-1").await.expect("refund");
    assert_eq!((part.status, part.amount), (RefundStatus::Succeeded, 945));
    assert_eq!(
        stripe.refund(&paid.id, 945, "fynlo-refund-1").await.expect("again").id,
        part.id
    );
    let too_much = stripe.refund(&paid.id, 1001, "fynlo-refund-2").await;
    assert!(
        matches!(&too_much, Err(ProviderError::Refused(m)) if m.contains("greater than unrefunded")),
        "{too_much:?}"
    );
    let rest = stripe.refund(&paid.id, 1000, "fynlo-refund-3").await.expect("the rest");
    assert_eq!(
        stripe.find_refund("fynlo-refund-3").await.expect("found").map(|r| r.id),
        Some(rest.id)
    );
    assert_eq!(
        stripe.find_refund("fynlo-refund-2").await.expect("asked"),
        None,
        "refused: never made"
    );

    // Every POST carried an idempotency key; the form-encoded body carried our metadata.
    {
        let f = state.lock().expect("lock");
        assert!(
            f.log
                .iter()
                .filter(|(m, _, _)| m == "POST")
                .all(|(_, _, k)| k.is_some()),
            "{:?}",
            f.log
        );
        assert_eq!(f.intents[0]["metadata"]["fynlo_key"], "fynlo-key-1");
    }
    // Pay by bank is not Stripe's.
    let bank = IntentRequest {
        method: Method::PayByBank,
        ..request(9, 100, SimOutcome::Approve)
    };
    assert!(matches!(stripe.create(&bank).await, Err(ProviderError::Refused(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_500s_manual_capture_and_a_wrong_key() {
    let (url, state) = fake_stripe::start().await;

    // A timeout: Stripe took the payment but the answer came too late. Found again by key, paid once.
    let slow = Stripe::new(StripeConfig {
        timeout_seconds: 1,
        ..config(&url)
    })
    .expect("settings");
    state.lock().expect("lock").delay = Duration::from_millis(1500);
    let timed_out = slow.create(&request(1, 500, SimOutcome::Approve)).await;
    assert!(matches!(timed_out, Err(ProviderError::Timeout)), "{timed_out:?}");
    state.lock().expect("lock").delay = Duration::ZERO;
    let found = slow
        .find("fynlo-key-1")
        .await
        .expect("asked")
        .expect("it reached Stripe");
    assert_eq!(
        found.status,
        IntentStatus::RequiresConfirmation,
        "the create arrived; the confirm timed out before it was sent"
    );
    // Asking again with the same key finishes the same intent: one intent, paid.
    let paid = slow
        .create(&request(1, 500, SimOutcome::Approve))
        .await
        .expect("answer");
    assert_eq!(
        (paid.id.as_str(), paid.status),
        (found.id.as_str(), IntentStatus::Succeeded)
    );
    assert_eq!(state.lock().expect("lock").intents.len(), 1);

    // Stripe's own trouble (500): unavailable, nothing made; the next try works.
    let stripe = Stripe::new(config(&url)).expect("settings");
    state.lock().expect("lock").fail_next = 1;
    let failed = stripe.create(&request(2, 700, SimOutcome::Approve)).await;
    assert!(matches!(failed, Err(ProviderError::Unavailable(_))), "{failed:?}");
    assert_eq!(stripe.find("fynlo-key-2").await.expect("asked"), None);
    assert_eq!(
        stripe
            .create(&request(2, 700, SimOutcome::Approve))
            .await
            .expect("answer")
            .status,
        IntentStatus::Succeeded
    );

    // Manual capture: authorised, then captured in the same call; captured once however often asked.
    let capturing = Stripe::new(StripeConfig {
        manual_capture: true,
        ..config(&url)
    })
    .expect("settings");
    let captured = capturing
        .create(&request(3, 900, SimOutcome::Approve))
        .await
        .expect("answer");
    assert_eq!(captured.status, IntentStatus::Succeeded);
    assert_eq!(
        capturing
            .create(&request(3, 900, SimOutcome::Approve))
            .await
            .expect("again")
            .id,
        captured.id
    );
    let captures = state
        .lock()
        .expect("lock")
        .log
        .iter()
        .filter(|(_, p, _)| p.ends_with("/capture"))
        .count();
    assert!(captures >= 1);
    assert_eq!(
        state
            .lock()
            .expect("lock")
            .intents
            .iter()
            .filter(|i| i["capture_method"] == "manual")
            .count(),
        1
    );

    // A wrong key: refused, and the key is not in the message.
    let wrong = Stripe::new(StripeConfig {
        secret_key: "sk_test_wrong_secret_key".into(),
        ..config(&url)
    })
    .expect("settings");
    let refused = wrong.create(&request(4, 100, SimOutcome::Approve)).await;
    match refused {
        Err(ProviderError::Refused(m)) => assert!(m.contains("Invalid API Key") && !m.contains("wrong_secret"), "{m}"),
        other => panic!("{other:?}"),
    }
}
