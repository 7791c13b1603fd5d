//! A fault proxy for the tests: a TCP proxy on loopback between a till and the cloud that, connection
//! by connection (seeded), passes bytes through, delays them, cuts the request or the response part way,
//! or answers 500 itself; on WebSocket connections it also sends some of the server's frames twice and
//! swaps others. `set_faults(false)` makes it a plain proxy.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// The proxy: where it listens, and its switch.
pub struct FaultProxy {
    pub addr: SocketAddr,
    faults: Arc<AtomicBool>,
    /// Connections handled, and faults made.
    pub connections: Arc<AtomicU64>,
    pub faulted: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    Pass,
    Delay(u64),
    CutRequest(usize),
    CutResponse(usize),
    Error500,
}

impl FaultProxy {
    /// A proxy to `upstream`, faulting with the generator seeded by `seed`.
    pub async fn start(upstream: SocketAddr, seed: u64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("address");
        let faults = Arc::new(AtomicBool::new(true));
        let connections = Arc::new(AtomicU64::new(0));
        let faulted = Arc::new(AtomicU64::new(0));
        let (f, c, d) = (Arc::clone(&faults), Arc::clone(&connections), Arc::clone(&faulted));
        let task = tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(seed);
            while let Ok((client, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::Relaxed);
                let fault = if f.load(Ordering::Relaxed) {
                    match rng.u8(0..10) {
                        0..=2 => Fault::Pass,
                        3 | 4 => Fault::Delay(rng.u64(20..300)),
                        5 => Fault::CutRequest(rng.usize(1..400)),
                        6 | 7 => Fault::CutResponse(rng.usize(1..600)),
                        _ => Fault::Error500,
                    }
                } else {
                    Fault::Pass
                };
                if !matches!(fault, Fault::Pass) {
                    d.fetch_add(1, Ordering::Relaxed);
                }
                let ws_seed = rng.u64(..);
                let faulty = Arc::clone(&f);
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(
                        Duration::from_secs(120),
                        serve(client, upstream, fault, ws_seed, faulty),
                    )
                    .await;
                });
            }
        });
        FaultProxy {
            addr,
            faults,
            connections,
            faulted,
            task,
        }
    }

    /// Turns the faults on or off (for connections made from now on).
    pub fn set_faults(&self, on: bool) {
        self.faults.store(on, Ordering::Relaxed);
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut client: TcpStream, upstream: SocketAddr, fault: Fault, ws_seed: u64, faulty: Arc<AtomicBool>) {
    match fault {
        Fault::Error500 => {
            let mut buf = [0u8; 4096];
            let _ = client.read(&mut buf).await;
            let _ = client
                .write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await;
            return;
        }
        Fault::Delay(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
        _ => {}
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let request_limit = match fault {
        Fault::CutRequest(n) => Some(n),
        _ => None,
    };
    let response_limit = match fault {
        Fault::CutResponse(n) => Some(n),
        _ => None,
    };
    let upward = async move {
        let mut sent = 0usize;
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n) = client_read.read(&mut buf).await {
            if n == 0 {
                break;
            }
            let take = request_limit.map_or(n, |limit| n.min(limit.saturating_sub(sent)));
            if server_write.write_all(&buf[..take]).await.is_err() {
                break;
            }
            sent += take;
            if request_limit.is_some_and(|limit| sent >= limit) {
                break;
            }
        }
        let _ = server_write.shutdown().await;
    };
    let downward = async move {
        let mut rng = fastrand::Rng::with_seed(ws_seed);
        let mut sent = 0usize;
        let mut head = Vec::new();
        let mut websocket = false;
        let mut frames = FrameReader::default();
        let mut held: Option<Vec<u8>> = None;
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n) = server_read.read(&mut buf).await {
            if n == 0 {
                break;
            }
            let chunk = &buf[..n];
            if websocket && faulty.load(Ordering::Relaxed) {
                // The server's frames, one by one: some sent twice, some swapped with the next.
                frames.push(chunk);
                let mut out = Vec::new();
                while let Some(frame) = frames.next_frame() {
                    let text = frame.first().is_some_and(|b| b & 0x0f == 1);
                    if !text {
                        out.extend_from_slice(&frame);
                        continue;
                    }
                    match rng.u8(0..10) {
                        0 | 1 => {
                            out.extend_from_slice(&frame);
                            out.extend_from_slice(&frame);
                        }
                        2 | 3 if held.is_none() => held = Some(frame),
                        _ => {
                            out.extend_from_slice(&frame);
                            if let Some(h) = held.take() {
                                out.extend_from_slice(&h);
                            }
                        }
                    }
                }
                if client_write.write_all(&out).await.is_err() {
                    break;
                }
                continue;
            }
            if !websocket {
                head.extend_from_slice(chunk);
                if head.starts_with(b"HTTP/1.1 101") {
                    if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                        websocket = true;
                        let rest = head.split_off(end + 4);
                        if client_write.write_all(&head).await.is_err() {
                            break;
                        }
                        frames.push(&rest);
                        let mut out = Vec::new();
                        while let Some(frame) = frames.next_frame() {
                            out.extend_from_slice(&frame);
                        }
                        if client_write.write_all(&out).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    continue;
                }
                if head.len() > 64 * 1024 || !head.starts_with(b"HTTP/1.1 1") {
                    head.clear();
                }
            }
            let take = response_limit.map_or(n, |limit| n.min(limit.saturating_sub(sent)));
            if client_write.write_all(&chunk[..take]).await.is_err() {
                break;
            }
            sent += take;
            if response_limit.is_some_and(|limit| sent >= limit) {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(upward, downward);
}

/// Splits the server's WebSocket bytes into whole frames (unmasked, as a server sends them).
#[derive(Default)]
struct FrameReader {
    buf: Vec<u8>,
}

impl FrameReader {
    fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    fn next_frame(&mut self) -> Option<Vec<u8>> {
        if self.buf.len() < 2 {
            return None;
        }
        let short = usize::from(self.buf[1] & 0x7f);
        let (header, len) = match short {
            126 if self.buf.len() >= 4 => (4, usize::from(u16::from_be_bytes([self.buf[2], self.buf[3]]))),
            127 if self.buf.len() >= 10 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&self.buf[2..10]);
                (10, usize::try_from(u64::from_be_bytes(b)).ok()?)
            }
            126 | 127 => return None,
            n => (2, n),
        };
        if self.buf.len() < header + len {
            return None;
        }
        let rest = self.buf.split_off(header + len);
        Some(std::mem::replace(&mut self.buf, rest))
    }
}
