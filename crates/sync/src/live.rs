//! The live WebSocket to the restaurant's hub (`/ws/pos/{restaurant_id}`, `docs/cloud.md`): connect,
//! authenticate with the access token as the first message, resume after the last event this till
//! saw, then take live events — each recorded, passed on to the UI, and waking a pull. A heartbeat goes
//! every 30 s; a socket silent for 75 s is given up. The token is sent again before it expires.
//! Reconnects back off 1, 2, 4, 8, 16, 30 s with ±20 % jitter. None of it touches a command's path.

use std::{sync::atomic::Ordering, time::Duration};

use futures_util::{SinkExt, StreamExt};
use fynlo_protocol::{ClientMessage, ServerMessage};
use tokio::{sync::watch, time::Instant};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    engine::{backoff, LiveEvent, SyncEngine},
    error::{Result, SyncCode, SyncError},
};

/// Between heartbeats.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// A socket with nothing from the server for this long is given up (the server pings every 30 s).
const SILENCE: Duration = Duration::from_secs(75);
/// How often the access token is sent again (it lasts 15 minutes).
const REAUTH: Duration = Duration::from_secs(10 * 60);
/// Connecting and authenticating may take this long.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// Keeps the socket up until `stop`.
pub(crate) async fn run(engine: SyncEngine, mut stop: watch::Receiver<bool>) {
    let mut failures = 0u32;
    loop {
        if *stop.borrow() {
            break;
        }
        let Some(auth) = engine.auth() else {
            tokio::select! {
                () = engine.shared.rewire.notified() => {}
                _ = stop.changed() => {}
                () = tokio::time::sleep(engine.shared.options.interval) => {}
            }
            continue;
        };
        let url = auth.cloud().hub_url(&restaurant(&engine).await.unwrap_or_default());
        let outcome = session(&engine, &auth, &url, &mut stop).await;
        engine.shared.live.store(false, Ordering::Relaxed);
        engine.publish().await;
        match outcome {
            Ok(connected) if connected => failures = 1,
            Ok(_) | Err(_) => failures = failures.saturating_add(1),
        }
        if let Err(e) = &outcome {
            tracing::debug!("live events: {e}");
        }
        tokio::select! {
            () = tokio::time::sleep(backoff(failures, engine.shared.options.backoff_unit)) => {}
            () = engine.shared.rewire.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

async fn restaurant(engine: &SyncEngine) -> Option<String> {
    engine
        .shared
        .store
        .pairing()
        .await
        .ok()
        .flatten()
        .map(|p| p.restaurant_id)
}

fn lost(what: impl std::fmt::Display) -> SyncError {
    SyncError::new(SyncCode::Offline, format!("the hub: {what}"))
}

/// One connection. Answers whether it got as far as authenticated (then the backoff starts again).
async fn session(
    engine: &SyncEngine,
    auth: &crate::auth::Auth,
    url: &str,
    stop: &mut watch::Receiver<bool>,
) -> Result<bool> {
    let (mut socket, _) = tokio::time::timeout(HANDSHAKE, tokio_tungstenite::connect_async(url))
        .await
        .map_err(|_| lost("connecting timed out"))?
        .map_err(lost)?;
    let send = |m: &ClientMessage| serde_json::to_string(m).map(Message::text).map_err(lost);
    let token = auth.access().await?;
    socket
        .send(send(&ClientMessage::Authenticate { token })?)
        .await
        .map_err(lost)?;
    let latest = tokio::time::timeout(HANDSHAKE, async {
        while let Some(frame) = socket.next().await {
            match frame.map_err(lost)? {
                Message::Text(text) => match serde_json::from_str::<ServerMessage>(&text) {
                    Ok(ServerMessage::Authenticated { latest }) => return Ok(latest),
                    Ok(ServerMessage::Error(e)) => return Err(lost(e.message)),
                    _ => {}
                },
                Message::Close(_) => return Err(lost("closed while authenticating")),
                _ => {}
            }
        }
        Err(lost("closed while authenticating"))
    })
    .await
    .map_err(|_| lost("authenticating timed out"))??;
    let seen = engine.shared.store.sync_state().await?.event_seq;
    let after = u64::try_from(seen).unwrap_or(0).min(latest);
    socket
        .send(send(&ClientMessage::Resume { after })?)
        .await
        .map_err(lost)?;
    engine.shared.live.store(true, Ordering::Relaxed);
    engine.publish().await;
    // Whatever was missed while the socket was down is pulled, and payments waiting for their
    // customer are asked about (their notice may have come while it was down).
    engine.wake_pull();
    engine.payments_changed();
    let mut heartbeat = tokio::time::interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
    let mut reauth = tokio::time::interval_at(Instant::now() + REAUTH, REAUTH);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            frame = socket.next() => {
                let Some(frame) = frame else { return Ok(true) };
                heard = Instant::now();
                match frame.map_err(lost)? {
                    Message::Text(text) => match serde_json::from_str::<ServerMessage>(&text) {
                        Ok(ServerMessage::Event { seq, topic, data }) => {
                            engine.shared.store.record_event_seq(i64::try_from(seq).unwrap_or(i64::MAX)).await?;
                            // A pay-by-bank payment of this till's moved: record it now, not at the
                            // cashier's next check.
                            if topic == "payment.processed"
                                && data.get("device_id").and_then(serde_json::Value::as_str)
                                    == Some(engine.shared.store.device().to_string().as_str())
                            {
                                engine.payments_changed();
                            }
                            let _ = engine.shared.events.send(LiveEvent { seq, topic, data });
                            engine.wake_pull();
                        }
                        Ok(ServerMessage::Error(e)) => return Err(lost(e.message)),
                        Ok(_) => {}
                        Err(e) => tracing::debug!("live events: a message not of the protocol: {e}"),
                    },
                    Message::Close(_) => return Ok(true),
                    _ => {}
                }
            }
            _ = heartbeat.tick() => {
                if heard.elapsed() > SILENCE {
                    return Err(lost("silent for too long"));
                }
                socket.send(send(&ClientMessage::Heartbeat)?).await.map_err(lost)?;
            }
            _ = reauth.tick() => {
                let token = auth.access().await?;
                socket.send(send(&ClientMessage::Authenticate { token })?).await.map_err(lost)?;
            }
            () = engine.shared.rewire.notified() => {
                let _ = socket.close(None).await;
                return Ok(true);
            }
            _ = stop.changed() => {
                let _ = socket.close(None).await;
                return Ok(true);
            }
        }
    }
}
