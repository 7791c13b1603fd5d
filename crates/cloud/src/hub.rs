//! The real-time hub: `/ws/pos/{restaurant_id}`.
//!
//! A client must send `{"type":"authenticate","token":…}` within 5 seconds, with a token of that
//! restaurant; it is told the latest event sequence, may send `{"type":"resume","after":N}` to get what it
//! missed from the feed, and then gets live events. Every event is read from the durable feed, in order,
//! by one reader per restaurant per instance ([`Hub::wake`]), and handed to that restaurant's sockets
//! through a bounded broadcast channel: a client that falls more than the buffer behind is dropped, and
//! never slows the others (the channel never waits for a reader). Pings go out every 30 seconds; a client
//! that misses two pongs is dropped.
//!
//! On PostgreSQL a listener wakes the hub on every `NOTIFY` of the feed's channel, whichever instance
//! wrote the rows; on SQLite (one instance) the writer wakes it after its commit.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    extract::{
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
        Path, State,
    },
    response::Response,
};
use fynlo_protocol::{ClientMessage, ErrorBody, ErrorCode, ServerMessage};
use tokio::sync::broadcast;

use crate::{
    auth::check_token,
    db::Db,
    error::ApiResult,
    feed::{self, EventRow},
    state::AppState,
};

/// How long a new socket has to authenticate.
pub const AUTH_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one send to a client may take before the client is dropped.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often every room reads the feed whatever the listener heard (PostgreSQL).
const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// Sockets that may be waiting to authenticate at once; more are refused until some finish.
const AUTHENTICATING: usize = 1_024;

static WAITING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(AUTHENTICATING);
/// Events read from the feed at a time.
const PAGE: usize = 1_000;

/// Close codes (4000–4999 are the application's own).
pub mod close {
    /// Not authenticated in time.
    pub const AUTH_TIMEOUT: u16 = 4408;
    /// The token was not valid.
    pub const UNAUTHORIZED: u16 = 4401;
    /// A token of another restaurant.
    pub const FORBIDDEN: u16 = 4403;
    /// A message that is not the protocol's.
    pub const PROTOCOL: u16 = 4400;
    /// Fell too far behind, or stopped answering pings.
    pub const TOO_SLOW: u16 = 4008;
}

/// One live event, its message already made, shared by every socket that sends it.
#[derive(Debug)]
pub struct Event {
    /// The restaurant's sequence number.
    pub seq: u64,
    /// The `ServerMessage::Event` as JSON text.
    pub text: Utf8Bytes,
}

#[derive(Debug)]
struct Room {
    sender: broadcast::Sender<Arc<Event>>,
    /// The last sequence number handed to the room's sockets.
    last: u64,
    /// One feed reader at a time.
    reading: Arc<tokio::sync::Mutex<()>>,
}

/// The instance's rooms: one per restaurant with a connected socket.
#[derive(Debug)]
pub struct Hub {
    db: Db,
    buffer: usize,
    rooms: Mutex<HashMap<String, Room>>,
    /// Sockets waiting to authenticate, by the client's address.
    waiting: Arc<Mutex<HashMap<String, usize>>>,
    /// How many one address may have waiting (`ws_waiting_per_address`): so one address cannot take
    /// every waiting place for the 5 s each may wait, and keep the tills out.
    per_address: usize,
}

/// A place among an address's sockets waiting to authenticate, given back when dropped.
struct WaitingPlace {
    waiting: Arc<Mutex<HashMap<String, usize>>>,
    address: String,
}

impl Drop for WaitingPlace {
    fn drop(&mut self) {
        let mut waiting = self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = waiting.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                waiting.remove(&self.address);
            }
        }
    }
}

fn event_message(row: &EventRow) -> ApiResult<Arc<Event>> {
    let (seq, topic, data) = row;
    let seq = u64::try_from(*seq).map_err(|e| crate::error::ApiError::stored("feed sequence", e))?;
    let data: serde_json::Value =
        serde_json::from_str(data).map_err(|e| crate::error::ApiError::stored("feed data", e))?;
    let text = serde_json::to_string(&ServerMessage::Event {
        seq,
        topic: topic.clone(),
        data,
    })
    .map_err(|e| crate::error::ApiError::stored("event", e))?;
    Ok(Arc::new(Event { seq, text: text.into() }))
}

impl Hub {
    /// A hub reading from `db`, letting sockets fall `buffer` events behind.
    pub fn new(db: Db, buffer: usize, per_address: usize) -> Hub {
        Hub {
            db,
            buffer,
            rooms: Mutex::new(HashMap::new()),
            waiting: Arc::new(Mutex::new(HashMap::new())),
            per_address,
        }
    }

    /// A place for a socket of `address` waiting to authenticate; none when the address has its
    /// most waiting already.
    fn wait_from(&self, address: &str) -> Option<WaitingPlace> {
        let mut waiting = self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = waiting.entry(address.to_owned()).or_insert(0);
        if *count >= self.per_address {
            return None;
        }
        *count += 1;
        Some(WaitingPlace {
            waiting: Arc::clone(&self.waiting),
            address: address.to_owned(),
        })
    }

    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<String, Room>> {
        self.rooms.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Joins the restaurant's room: live events after the feed's head now.
    pub async fn subscribe(&self, restaurant: &str) -> ApiResult<broadcast::Receiver<Arc<Event>>> {
        let head = feed::head(&self.db, restaurant).await?;
        let mut rooms = self.rooms();
        let room = rooms.entry(restaurant.to_owned()).or_insert_with(|| Room {
            sender: broadcast::channel(self.buffer).0,
            last: head,
            reading: Arc::new(tokio::sync::Mutex::new(())),
        });
        Ok(room.sender.subscribe())
    }

    /// Leaves: the room goes when its last socket does.
    fn leave(&self, restaurant: &str) {
        let mut rooms = self.rooms();
        if rooms.get(restaurant).is_some_and(|r| r.sender.receiver_count() == 0) {
            rooms.remove(restaurant);
        }
    }

    /// How many sockets are connected to this instance.
    pub fn connections(&self) -> usize {
        self.rooms().values().map(|r| r.sender.receiver_count()).sum()
    }

    /// Reads the restaurant's new feed rows and hands them to its sockets, in order. Does nothing when
    /// no socket of the restaurant is connected here.
    pub async fn wake(&self, restaurant: &str) {
        let Some(reading) = self.rooms().get(restaurant).map(|r| r.reading.clone()) else {
            return;
        };
        let _one_reader = reading.lock().await;
        loop {
            let Some(last) = self.rooms().get(restaurant).map(|r| r.last) else {
                return;
            };
            let page = PAGE.min(self.buffer / 2).max(1);
            let rows = match feed::events_after(&self.db, restaurant, last, page).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(restaurant, error = %e, "reading the feed for live events");
                    return;
                }
            };
            let full = rows.len() == page;
            {
                let mut rooms = self.rooms();
                let Some(room) = rooms.get_mut(restaurant) else {
                    return;
                };
                for row in &rows {
                    match event_message(row) {
                        Ok(event) => {
                            room.last = event.seq;
                            // No receivers is not an error: the last socket may just have gone.
                            let _ = room.sender.send(event);
                        }
                        Err(e) => tracing::error!(restaurant, error = %e, "a feed row does not read back"),
                    }
                }
            }
            if !full {
                return;
            }
            // Let the sockets send what they have before the next page.
            tokio::task::yield_now().await;
        }
    }

    /// Wakes every room (after the listener lost its connection and may have missed notifications).
    pub async fn wake_all(&self) {
        let restaurants: Vec<String> = self.rooms().keys().cloned().collect();
        for r in restaurants {
            self.wake(&r).await;
        }
    }
}

/// Listens for the feed's `NOTIFY` on PostgreSQL and wakes the hub; reconnects when the connection drops.
pub async fn listen(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut backoff = Duration::from_millis(100);
    // A safety net: every room reads the feed now and then, whatever the listener heard (a half-open
    // connection can go quiet without an error).
    let mut sweep = tokio::time::interval(SWEEP_EVERY);
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect(&state.db.url).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "connecting the feed listener");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    _ = shutdown.changed() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        if let Err(e) = listener.listen(feed::CHANNEL).await {
            tracing::warn!(error = %e, "LISTEN on the feed channel");
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                _ = shutdown.changed() => return,
            }
            backoff = (backoff * 2).min(Duration::from_secs(5));
            continue;
        }
        backoff = Duration::from_millis(100);
        // Anything committed while the listener was away.
        state.hub.wake_all().await;
        loop {
            tokio::select! {
                received = listener.try_recv() => match received {
                    Ok(Some(note)) => state.hub.wake(note.payload()).await,
                    // The connection dropped and sqlx made a new one: notifications may have been missed.
                    Ok(None) => state.hub.wake_all().await,
                    Err(e) => {
                        tracing::warn!(error = %e, "the feed listener's connection failed");
                        break;
                    }
                },
                _ = sweep.tick() => state.hub.wake_all().await,
                _ = shutdown.changed() => return,
            }
        }
    }
}

/// `GET /ws/pos/{restaurant_id}`: the upgrade.
pub async fn socket(
    State(state): State<AppState>,
    Path(restaurant): Path<String>,
    crate::http::Client(address): crate::http::Client,
    ws: WebSocketUpgrade,
) -> Response {
    // Small buffers (a socket's messages are small), a bounded send queue (a client that does not
    // read is dropped rather than queued for without end).
    ws.max_message_size(64 * 1024)
        .max_frame_size(64 * 1024)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(1024 * 1024)
        .on_upgrade(move |socket| run(state, restaurant, address, socket))
}

async fn close_with(mut socket: WebSocket, code: u16, error: ErrorCode, message: &str) {
    let body = ServerMessage::Error(ErrorBody {
        code: error,
        message: message.to_owned(),
    });
    if let Ok(text) = serde_json::to_string(&body) {
        let _ = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text.into()))).await;
    }
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from(message.chars().take(60).collect::<String>()),
    };
    let _ = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Close(Some(frame)))).await;
    finish(&mut socket).await;
}

/// After our close frame: waits (a little) for the client's, so the connection ends in order and the
/// client reads our frame (closing at once could reset the connection and lose it).
async fn finish(socket: &mut WebSocket) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.recv()).await {
        if matches!(message, Message::Close(_)) {
            return;
        }
    }
}

async fn send(socket: &mut WebSocket, message: Message) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, socket.send(message)).await,
        Ok(Ok(()))
    )
}

async fn send_json(socket: &mut WebSocket, message: &ServerMessage) -> bool {
    match serde_json::to_string(message) {
        Ok(text) => send(socket, Message::Text(text.into())).await,
        Err(_) => false,
    }
}

/// The first message: a token of this restaurant, within [`AUTH_TIMEOUT`].
/// The first message: a token of this restaurant, within [`AUTH_TIMEOUT`]. Returns the token.
async fn authenticate(
    state: &AppState,
    restaurant: &str,
    socket: &mut WebSocket,
) -> Result<String, (u16, ErrorCode, String)> {
    let first = match tokio::time::timeout(AUTH_TIMEOUT, socket.recv()).await {
        Err(_) => {
            return Err((
                close::AUTH_TIMEOUT,
                ErrorCode::Unauthorized,
                "authenticate within 5 seconds".into(),
            ));
        }
        Ok(None | Some(Err(_))) => return Err((close::PROTOCOL, ErrorCode::InvalidInput, "closed".into())),
        Ok(Some(Ok(message))) => message,
    };
    let token = match first {
        Message::Text(text) => match serde_json::from_str::<ClientMessage>(text.as_str()) {
            Ok(ClientMessage::Authenticate { token }) => token,
            _ => {
                return Err((
                    close::UNAUTHORIZED,
                    ErrorCode::Unauthorized,
                    "the first message must be {\"type\":\"authenticate\",\"token\":…}".into(),
                ))
            }
        },
        _ => {
            return Err((
                close::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                "the first message must be text".into(),
            ))
        }
    };
    check_for(state, restaurant, &token).await?;
    Ok(token)
}

/// Checks a token for this restaurant's socket: valid now, not revoked, of this restaurant.
async fn check_for(state: &AppState, restaurant: &str, token: &str) -> Result<(), (u16, ErrorCode, String)> {
    let claims = check_token(state, token)
        .await
        .map_err(|e| (close::UNAUTHORIZED, e.code, e.message))?;
    if claims.rid != restaurant {
        // The same answer whether the restaurant exists or not.
        return Err((
            close::FORBIDDEN,
            ErrorCode::Forbidden,
            "this token is not for that restaurant".into(),
        ));
    }
    Ok(())
}

/// Sends the feed's events after `after` up to now; returns the last sequence sent.
async fn backfill(state: &AppState, restaurant: &str, socket: &mut WebSocket, mut after: u64) -> Option<u64> {
    loop {
        let rows = feed::events_after(&state.db, restaurant, after, PAGE).await.ok()?;
        for row in &rows {
            let event = event_message(row).ok()?;
            if !send(socket, Message::Text(event.text.clone())).await {
                return None;
            }
            after = event.seq;
        }
        if rows.len() < PAGE {
            return Some(after);
        }
    }
}

async fn run(state: AppState, restaurant: String, address: String, mut socket: WebSocket) {
    let token = {
        let Some(_place) = state.hub.wait_from(&address) else {
            close_with(
                socket,
                1013,
                ErrorCode::RateLimited,
                "too many sockets authenticating from this address; try again",
            )
            .await;
            return;
        };
        let Ok(_waiting) = WAITING.try_acquire() else {
            close_with(
                socket,
                1013,
                ErrorCode::RateLimited,
                "too many sockets authenticating; try again",
            )
            .await;
            return;
        };
        match authenticate(&state, &restaurant, &mut socket).await {
            Ok(token) => token,
            Err((code, error, message)) => {
                close_with(socket, code, error, &message).await;
                return;
            }
        }
    };
    let mut events = match state.hub.subscribe(&restaurant).await {
        Ok(rx) => rx,
        Err(e) => {
            close_with(socket, 1011, e.code, &e.message).await;
            return;
        }
    };
    let latest = match feed::head(&state.db, &restaurant).await {
        Ok(latest) => latest,
        Err(e) => {
            drop(events);
            state.hub.leave(&restaurant);
            close_with(socket, 1011, e.code, &e.message).await;
            return;
        }
    };
    // The last sequence this socket has had (or was told it need not have).
    let mut sent = latest;
    if send_json(&mut socket, &ServerMessage::Authenticated { latest }).await {
        serve(&state, &restaurant, token, &mut socket, &mut events, &mut sent).await;
    }
    drop(events);
    state.hub.leave(&restaurant);
}

async fn serve(
    state: &AppState,
    restaurant: &str,
    mut token: String,
    socket: &mut WebSocket,
    events: &mut broadcast::Receiver<Arc<Event>>,
    sent: &mut u64,
) {
    let every = Duration::from_secs(state.config.ws_ping_seconds);
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let mut unanswered = 0u32;
    let mut shutdown = state.shutdown.clone();
    loop {
        tokio::select! {
            // The server is stopping: "going away" (1001), so the client reconnects (to another instance,
            // or this one when it is back) and resumes.
            stopping = shutdown.changed() => {
                if stopping.is_ok() && !*shutdown.borrow_and_update() { continue }
                let frame = CloseFrame { code: 1001, reason: Utf8Bytes::from_static("server stopping") };
                let _ = send(socket, Message::Close(Some(frame))).await;
                finish(socket).await;
                return;
            }
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else { return };
                match message {
                    Message::Pong(_) => unanswered = 0,
                    Message::Close(_) => return,
                    Message::Text(text) => match serde_json::from_str::<ClientMessage>(text.as_str()) {
                        Ok(ClientMessage::Heartbeat) => {
                            unanswered = 0;
                            if !send_json(socket, &ServerMessage::Heartbeat).await { return }
                        }
                        Ok(ClientMessage::Resume { after }) => {
                            let Ok(head) = feed::head(&state.db, restaurant).await else {
                                let body = ServerMessage::Error(ErrorBody { code: ErrorCode::Internal, message: "the server could not read the restaurant's events; resume again".into() });
                                if !send_json(socket, &body).await { return }
                                continue;
                            };
                            if after > head {
                                // From before a restore, or another server's: the client starts again.
                                let message = format!("resume from at most {head}: the restaurant's events end there");
                                let body = ServerMessage::Error(ErrorBody { code: ErrorCode::Conflict, message });
                                if !send_json(socket, &body).await { return }
                                continue;
                            }
                            match backfill(state, restaurant, socket, after).await {
                                Some(last) => *sent = last.max(after),
                                None => return,
                            }
                        }
                        // A fresh token before the old one expires keeps the socket.
                        Ok(ClientMessage::Authenticate { token: fresh }) => match check_for(state, restaurant, &fresh).await {
                            Ok(()) => {
                                token = fresh;
                                // The last event this socket has had: a client resuming from it misses nothing.
                                if !send_json(socket, &ServerMessage::Authenticated { latest: *sent }).await { return }
                            }
                            Err((code, error, message)) => {
                                let body = ServerMessage::Error(ErrorBody { code: error, message: message.clone() });
                                let _ = send_json(socket, &body).await;
                                let frame = CloseFrame { code, reason: Utf8Bytes::from_static("unauthorized") };
                                let _ = send(socket, Message::Close(Some(frame))).await;
                                finish(socket).await;
                                return;
                            }
                        },
                        Err(_) => {
                            let message = "expected a heartbeat, a resume or a fresh authenticate";
                            let body = ServerMessage::Error(ErrorBody { code: ErrorCode::InvalidInput, message: message.into() });
                            if !send_json(socket, &body).await { return }
                        }
                    },
                    Message::Ping(_) | Message::Binary(_) => {}
                }
            }
            event = events.recv() => match event {
                Ok(event) => {
                    if event.seq <= *sent { continue }
                    if event.seq > *sent + 1 {
                        // Missed some (joined the room after they went out): read them from the feed.
                        match backfill(state, restaurant, socket, *sent).await {
                            Some(last) => *sent = last,
                            None => return,
                        }
                        if event.seq <= *sent { continue }
                    }
                    if !send(socket, Message::Text(event.text.clone())).await { return }
                    *sent = event.seq;
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let message = "fell too far behind; reconnect and resume";
                    let frame = CloseFrame { code: close::TOO_SLOW, reason: Utf8Bytes::from_static("too slow") };
                    let body = ServerMessage::Error(ErrorBody { code: ErrorCode::TooLarge, message: message.into() });
                    let _ = send_json(socket, &body).await;
                    let _ = send(socket, Message::Close(Some(frame))).await;
                    finish(socket).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = ping.tick() => {
                // The token is checked again: an expired one, or a till revoked meanwhile, loses the
                // socket within one ping interval.
                // (A database hiccup is not a reason to drop every socket: only a refusal is.)
                if let Err((code, error @ (ErrorCode::Unauthorized | ErrorCode::Forbidden), message)) =
                    check_for(state, restaurant, &token).await
                {
                    let body = ServerMessage::Error(ErrorBody { code: error, message: format!("{message}; authenticate again") });
                    let _ = send_json(socket, &body).await;
                    let frame = CloseFrame { code, reason: Utf8Bytes::from_static("authenticate again") };
                    let _ = send(socket, Message::Close(Some(frame))).await;
                    finish(socket).await;
                    return;
                }
                if unanswered >= 2 {
                    let frame = CloseFrame { code: close::TOO_SLOW, reason: Utf8Bytes::from_static("no pong") };
                    let _ = send(socket, Message::Close(Some(frame))).await;
                    finish(socket).await;
                    return;
                }
                unanswered += 1;
                if !send(socket, Message::Ping(axum::body::Bytes::from_static(b"fynlo"))).await { return }
            }
        }
    }
}
