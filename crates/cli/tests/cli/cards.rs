//! `fynlo cards`: Stripe as a till's card provider, its settings and secret key in the real keychain
//! (keyed by the till's device id), against a fake Stripe started here on loopback that speaks Stripe's
//! HTTP. Connected, `fynlo exec` takes cards through Stripe (a decline included); the key never shows;
//! another till on the machine keeps the simulator; disconnected, cards go to the simulator again.

use serde_json::Value;

use crate::{fynlo, with_stdin, DemoTill};

#[path = "../../../payments/tests/support/fake_stripe.rs"]
mod fake_stripe;

/// `fynlo cards connect-stripe` with a PIN and the key on stdin.
fn connect(till: &DemoTill, url: &str, pin: &str, key: &str) -> std::process::Output {
    let mut command = fynlo();
    command
        .arg("--db")
        .arg(&till.db)
        .args(["cards", "connect-stripe", "--api-url", url]);
    with_stdin(command, &format!("{pin}\n{key}\n"))
}

/// `fynlo cards disconnect` with a PIN on stdin.
fn disconnect(till: &DemoTill, pin: &str) -> std::process::Output {
    let mut command = fynlo();
    command.arg("--db").arg(&till.db).args(["cards", "disconnect"]);
    with_stdin(command, &format!("{pin}\n"))
}

fn json(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A takeaway fish & chips (£16.50) paid by card, with the simulator's (or Stripe's test card's) choice.
fn card_sale(till: &DemoTill, simulate: &str) -> Value {
    let (_, lines) = till.exec(&format!(
        "{{\"cmd\": \"login\", \"pin\": \"1357\"}}\n{{\"cmd\": \"open_order\", \"kind\": {{\"type\": \"takeaway\"}}}}\n\
         {{\"cmd\": \"add_line\", \"product\": \"fish-chips\"}}\n{{\"cmd\": \"pay\", \"tender\": \"card\", \"simulate\": \"{simulate}\"}}\n"
    ));
    lines[3]["result"]["payments"][0].clone()
}

#[test]
fn a_till_connected_to_stripe_takes_cards_there_and_its_key_never_shows() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (url, fake) = runtime.block_on(fake_stripe::start());
    let till = DemoTill::create();
    let other = DemoTill::create();

    // Not connected: the simulator. A publishable key is refused and nothing is kept.
    assert_eq!(json(&till.run(&["cards", "status"]))["provider"], "simulator");
    let refused = connect(&till, &url, "2468", "pk_test_publishable_key");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("secret or restricted key"));
    // Only a manager chooses where cards go: Sam's PIN (a cashier) and a wrong PIN are refused.
    for pin in ["1357", "9999"] {
        let refused = connect(&till, &url, pin, fake_stripe::KEY);
        assert!(!refused.status.success(), "{pin}");
        let said = String::from_utf8_lossy(&refused.stderr).into_owned();
        assert!(!said.contains(fake_stripe::KEY), "{said}");
    }
    assert_eq!(json(&till.run(&["cards", "status"]))["provider"], "simulator");

    // Connected by Priya (a manager): shown without the key, in test mode.
    let out = connect(&till, &url, "2468", fake_stripe::KEY);
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!shown.contains(fake_stripe::KEY), "{shown}");
    let view = json(&out);
    assert_eq!(
        (view["provider"].as_str(), view["test_mode"].as_bool()),
        (Some("stripe"), Some(true))
    );
    let status = till.run(&["cards", "status"]);
    assert!(!String::from_utf8_lossy(&status.stdout).contains(fake_stripe::KEY));
    assert_eq!(json(&status)["api_url"], url.as_str());

    // A card sale goes to Stripe: paid, Stripe's id recorded, our ids in its metadata.
    let paid = card_sale(&till, "approve");
    assert_eq!(paid["status"], "succeeded", "{paid}");
    let id = paid["provider_ref"].as_str().expect("Stripe's id").to_owned();
    assert!(id.starts_with("pi_fake_"), "{paid}");
    {
        let f = fake.lock().expect("lock");
        let intent = f.intents.iter().find(|i| i["id"] == id.as_str()).expect("at Stripe");
        assert_eq!(
            (intent["amount"].as_i64(), intent["status"].as_str()),
            (Some(1650), Some("succeeded"))
        );
        assert_eq!(intent["metadata"]["fynlo_payment_id"], paid["id"]);
    }
    // Stripe's test card for a decline: declined, with Stripe's code.
    let declined = card_sale(&till, "decline");
    assert_eq!(
        (declined["status"].as_str(), declined["note"].as_str()),
        (Some("failed"), Some("declined: generic_decline")),
        "{declined}"
    );

    // Another till on this machine keeps its own provider: the simulator.
    assert_eq!(json(&other.run(&["cards", "status"]))["provider"], "simulator");
    assert!(card_sale(&other, "approve")["provider_ref"]
        .as_str()
        .is_some_and(|r| r.starts_with("pi_sim_")));

    // Disconnected: the simulator again, and Stripe hears of no more payments.
    assert!(!disconnect(&till, "1357").status.success(), "a cashier cannot");
    assert_eq!(json(&disconnect(&till, "2468"))["provider"], "simulator");
    let before = fake.lock().expect("lock").intents.len();
    assert!(card_sale(&till, "approve")["provider_ref"]
        .as_str()
        .is_some_and(|r| r.starts_with("pi_sim_")));
    assert_eq!(fake.lock().expect("lock").intents.len(), before);
}
