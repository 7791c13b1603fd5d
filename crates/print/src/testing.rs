//! A loopback network printer for tests (feature `testing`): it listens on 127.0.0.1, answers the
//! status queries (`DLE EOT n`) a connection starts with, and records the rest of each connection as
//! one job. It can misbehave on purpose ([`Behaviour`]) so tests can see what a sender makes of it.
//!
//! Every wait in it is bounded: a connection is served for at most [`CONNECTION_LIMIT`] and at most
//! [`MAX_JOB_BYTES`] of a job are read. The server stops when its [`LoopbackHandle`] is dropped.

use std::{
    net::SocketAddr,
    pin::pin,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::Duration,
};

use tokio::{
    io::AsyncReadExt,
    io::AsyncWriteExt,
    net::{TcpListener, TcpStream},
    sync::Notify,
    task::{AbortHandle, JoinSet},
    time::{sleep, sleep_until, timeout_at, Instant},
};

/// The longest a connection is served.
pub const CONNECTION_LIMIT: Duration = Duration::from_secs(30);

/// The most bytes of one job that are read (a longer job is cut off there).
pub const MAX_JOB_BYTES: usize = 16 * 1024 * 1024;

/// The most connections one loopback printer accepts.
const MAX_CONNECTIONS: usize = 1024;

/// The most status queries answered on one connection.
const MAX_QUERIES: usize = 64;

/// How the loopback printer behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers that all is well and reads each job whole.
    Normal,
    /// Answers late and reads in small pieces with pauses, but reads each job whole.
    Slow,
    /// Reads this many bytes of a job and closes the connection with the rest unread.
    DropMidJob {
        /// Bytes of the job read before it drops the connection.
        after: usize,
    },
    /// Accepts connections and never reads from them nor answers.
    NeverAnswers,
    /// Answers that it is out of paper (and offline); reads a job if one is sent anyway.
    PaperOut,
}

/// Starts loopback printers.
#[derive(Debug)]
pub struct LoopbackPrinter;

impl LoopbackPrinter {
    /// Starts a printer on 127.0.0.1 on a free port; it runs until the handle is dropped.
    pub async fn start(behaviour: Behaviour) -> std::io::Result<(SocketAddr, LoopbackHandle)> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let serving = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            // Dropping the set (when this task is aborted) aborts the connections' tasks too.
            let mut connections = JoinSet::new();
            for _ in 0..MAX_CONNECTIONS {
                let Ok((socket, _)) = listener.accept().await else {
                    break;
                };
                serving.connections.fetch_add(1, Ordering::SeqCst);
                connections.spawn(serve(socket, behaviour, Arc::clone(&serving)));
                while connections.try_join_next().is_some() {}
            }
            while connections.join_next().await.is_some() {}
        });
        Ok((
            addr,
            LoopbackHandle {
                shared,
                task: task.abort_handle(),
            },
        ))
    }
}

/// A running loopback printer: what it received. Dropping it stops the printer.
#[derive(Debug)]
pub struct LoopbackHandle {
    shared: Arc<Shared>,
    task: AbortHandle,
}

#[derive(Debug, Default)]
struct Shared {
    jobs: Mutex<Vec<Vec<u8>>>,
    recorded: Notify,
    connections: AtomicUsize,
}

impl LoopbackHandle {
    /// The jobs received so far, in the order their connections ended. A connection that carried
    /// nothing but status queries is not a job.
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        self.shared.jobs.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` jobs were received or the time is up, and gives the jobs there are.
    pub async fn wait_for_jobs(&self, n: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        // Each round ends with a job recorded or the deadline, so the count bounds it too.
        for _ in 0..=n {
            let mut recorded = pin!(self.shared.recorded.notified());
            recorded.as_mut().enable();
            if self.jobs().len() >= n || timeout_at(deadline, recorded).await.is_err() {
                break;
            }
        }
        self.jobs()
    }
}

impl Drop for LoopbackHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves one connection: the leading status queries, then the job.
async fn serve(mut socket: TcpStream, behaviour: Behaviour, shared: Arc<Shared>) {
    let deadline = Instant::now() + CONNECTION_LIMIT;
    if behaviour == Behaviour::NeverAnswers {
        sleep_until(deadline).await;
        return;
    }
    // Status queries are read three bytes at most at a time, so that no more of the job than that is
    // taken from the socket before the job's own reading starts (a dropped job must leave bytes unread).
    let mut head = Vec::with_capacity(3);
    let mut queries = 0;
    let mut open = true;
    while open && queries < MAX_QUERIES {
        if head.len() >= 3 && head[..2] == [0x10, 0x04] {
            if behaviour == Behaviour::Slow {
                sleep(Duration::from_millis(50)).await;
            }
            let answer = status_answer(behaviour, head[2]);
            if timeout_at(deadline, socket.write_all(&[answer])).await.is_err() {
                return;
            }
            head.drain(..3);
            queries += 1;
            continue;
        }
        let prefix = &head[..head.len().min(2)];
        if head.len() >= 3 || !(prefix.is_empty() || [0x10, 0x04].starts_with(prefix)) {
            break;
        }
        let mut byte = [0u8; 3];
        let want = 3 - head.len();
        match timeout_at(deadline, socket.read(&mut byte[..want])).await {
            Ok(Ok(0) | Err(_)) | Err(_) => open = false,
            Ok(Ok(n)) => head.extend_from_slice(&byte[..n]),
        }
    }
    let mut job = head;
    if open {
        match behaviour {
            Behaviour::DropMidJob { after } => {
                job.truncate(after);
                read_job(&mut socket, &mut job, after, None, deadline).await;
            }
            Behaviour::Slow => {
                let pause = Some(Duration::from_millis(2));
                read_job(&mut socket, &mut job, MAX_JOB_BYTES, pause, deadline).await;
            }
            _ => read_job(&mut socket, &mut job, MAX_JOB_BYTES, None, deadline).await,
        }
    }
    // Dropping the socket closes it; with bytes unread the system resets it, as a printer's would.
    drop(socket);
    if !job.is_empty() {
        shared.jobs.lock().unwrap_or_else(PoisonError::into_inner).push(job);
        shared.recorded.notify_waiters();
    }
}

/// Reads until the end of the stream, `limit` bytes, or the deadline: in pieces of 64 bytes with a
/// pause after each when `pause` is given.
async fn read_job(socket: &mut TcpStream, job: &mut Vec<u8>, limit: usize, pause: Option<Duration>, deadline: Instant) {
    let mut buf = vec![0u8; if pause.is_some() { 64 } else { 8192 }];
    // Each read takes at least one byte or ends the loop, so the limit bounds the count.
    for _ in 0..=limit {
        let want = buf.len().min(limit.saturating_sub(job.len()));
        if want == 0 {
            break;
        }
        match timeout_at(deadline, socket.read(&mut buf[..want])).await {
            Ok(Ok(0) | Err(_)) | Err(_) => break,
            Ok(Ok(n)) => job.extend_from_slice(&buf[..n]),
        }
        if let Some(pause) = pause {
            sleep(pause).await;
        }
    }
}

/// The answer to `DLE EOT n`.
fn status_answer(behaviour: Behaviour, n: u8) -> u8 {
    match (behaviour, n) {
        (Behaviour::PaperOut, 1) => 0x1A,
        (Behaviour::PaperOut, 2) => 0x32,
        (Behaviour::PaperOut, 4) => 0x72,
        _ => 0x12,
    }
}
