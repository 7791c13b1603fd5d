//! Raw TCP to a network printer's port (9100 by default).
//!
//! A job is one connection: connect (bounded by the connect timeout), ask the printer's status with
//! `DLE EOT 1`, `2` and `4` (bounded by the status timeout; off for printers that do not answer it),
//! refuse to send when it is out of paper, its cover is open, it is offline or it did not answer; then
//! write the job (bounded by the write timeout), flush, shut down the write side and wait, briefly, for
//! the printer to close. A printer that drops the connection with part of the job unread resets it,
//! which is how a job cut short is told from one that went out whole.
//!
//! Nothing of the job has left until the first write is accepted, so a failure before that is
//! [`PrintError::NotSent`]; a failure after it is [`PrintError::Uncertain`].

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::{timeout, timeout_at, Instant},
};

use crate::{
    transport::{Sent, Status},
    NotSentReason, PrintError,
};

/// `DLE EOT`: real-time status transmission.
const DLE_EOT: [u8; 2] = [0x10, 0x04];

/// How many stray bytes a printer may send while closing before it is no longer waited for.
const MAX_CLOSING_READS: usize = 256;

/// A network printer's raw port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpPrinter {
    /// Its host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// Whether to ask its status before a job (printers that never answer `DLE EOT` turn it off).
    pub status: bool,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// How long writing a whole job may take.
    pub write_timeout: Duration,
    /// How long the status answers may take.
    pub status_timeout: Duration,
    /// How long to wait for the printer to close after the job, to hear whether it dropped part of it.
    /// Running out of this wait is not a failure: every byte was written.
    pub close_timeout: Duration,
}

impl TcpPrinter {
    /// The raw printing port.
    pub const DEFAULT_PORT: u16 = 9100;

    /// A printer on port 9100 with the default timeouts (connect 3 s, write 10 s, status 2 s, close 2 s)
    /// and the status query on.
    pub fn new(host: impl Into<String>) -> TcpPrinter {
        TcpPrinter {
            host: host.into(),
            port: Self::DEFAULT_PORT,
            status: true,
            connect_timeout: Duration::from_secs(3),
            write_timeout: Duration::from_secs(10),
            status_timeout: Duration::from_secs(2),
            close_timeout: Duration::from_secs(2),
        }
    }

    /// The same printer on another port.
    #[must_use]
    pub fn with_port(mut self, port: u16) -> TcpPrinter {
        self.port = port;
        self
    }

    /// The same printer with the status query on or off.
    #[must_use]
    pub fn with_status(mut self, status: bool) -> TcpPrinter {
        self.status = status;
        self
    }

    /// How the printer is named in errors.
    pub fn name(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    fn not_sent(&self, reason: NotSentReason) -> PrintError {
        PrintError::not_sent(self.name(), reason)
    }

    /// Sends a job (see the module's documentation for the steps and what each failure means).
    pub async fn send(&self, job: &[u8]) -> Result<Sent, PrintError> {
        let mut stream = self.connect().await?;
        if self.status {
            let status = self.query(&mut stream).await?;
            if let Some(reason) = status.refusal() {
                return Err(self.not_sent(reason));
            }
        }
        let fail = |written: usize, reason: String| {
            if written == 0 {
                self.not_sent(NotSentReason::Io(reason))
            } else {
                PrintError::Uncertain {
                    printer: self.name(),
                    written,
                    reason,
                }
            }
        };
        let deadline = Instant::now() + self.write_timeout;
        let mut written = 0;
        while written < job.len() {
            match timeout_at(deadline, stream.write(&job[written..])).await {
                Ok(Ok(0)) => return Err(fail(written, "the connection took no more bytes".into())),
                Ok(Ok(n)) => written += n,
                Ok(Err(e)) => return Err(fail(written, e.to_string())),
                Err(_) => return Err(fail(written, "writing timed out".into())),
            }
        }
        match timeout_at(deadline, async {
            stream.flush().await?;
            stream.shutdown().await
        })
        .await
        {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(fail(written, e.to_string())),
            Err(_) => return Err(fail(written, "finishing the job timed out".into())),
        }
        // A printer that closed with part of the job unread has reset the connection; one that read it
        // all closes it (or keeps it open, which is as good). What it says meanwhile is ignored.
        let closing = Instant::now() + self.close_timeout;
        let mut buf = [0u8; 64];
        for _ in 0..MAX_CLOSING_READS {
            match timeout_at(closing, stream.read(&mut buf)).await {
                Ok(Ok(0)) | Err(_) => break,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(fail(written, format!("the printer dropped the connection: {e}"))),
            }
        }
        Ok(Sent {
            bytes: written,
            spool_job: None,
        })
    }

    /// Asks the printer how it is. Without the status query, a printer that accepts a connection is
    /// taken to be ready.
    pub async fn status(&self) -> Result<Status, PrintError> {
        let mut stream = self.connect().await?;
        let status = if self.status {
            self.query(&mut stream).await?
        } else {
            Status::READY
        };
        // Closing politely is a courtesy; the answer is already in.
        let _ = timeout(self.close_timeout, stream.shutdown()).await;
        Ok(status)
    }

    async fn connect(&self) -> Result<TcpStream, PrintError> {
        match timeout(
            self.connect_timeout,
            TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        {
            Ok(Ok(stream)) => {
                // Jobs are written whole; small writes should not wait for more.
                let _ = stream.set_nodelay(true);
                Ok(stream)
            }
            Ok(Err(e)) => Err(self.not_sent(NotSentReason::Connect(e.to_string()))),
            Err(_) => Err(self.not_sent(NotSentReason::ConnectTimeout)),
        }
    }

    /// Sends `DLE EOT 1`, `2` and `4`, one at a time, and reads the answers.
    async fn query(&self, stream: &mut TcpStream) -> Result<Status, PrintError> {
        let deadline = Instant::now() + self.status_timeout;
        let mut answers = [0u8; 3];
        for (answer, n) in answers.iter_mut().zip([1u8, 2, 4]) {
            let asked = async {
                stream.write_all(&[DLE_EOT[0], DLE_EOT[1], n]).await?;
                stream.read_u8().await
            };
            match timeout_at(deadline, asked).await {
                Ok(Ok(byte)) => *answer = byte,
                Ok(Err(_)) | Err(_) => return Err(self.not_sent(NotSentReason::NoStatus)),
            }
        }
        parse_status(answers).ok_or_else(|| self.not_sent(NotSentReason::NoStatus))
    }
}

/// The status from the answers to `DLE EOT 1`, `2` and `4`, or none if one is not a status byte (each
/// has bits 1 and 4 set and bits 0 and 7 clear).
pub(crate) fn parse_status([printer, offline, paper]: [u8; 3]) -> Option<Status> {
    if [printer, offline, paper].iter().any(|b| b & 0x93 != 0x12) {
        return None;
    }
    Some(Status {
        online: printer & 0x08 == 0,
        cover_open: offline & 0x04 != 0,
        paper_out: offline & 0x20 != 0 || paper & 0x60 != 0,
        paper_low: paper & 0x0C != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_bytes_are_parsed() {
        assert_eq!(parse_status([0x12, 0x12, 0x12]), Some(Status::READY));
        let offline = parse_status([0x1A, 0x16, 0x12]).expect("valid status bytes");
        assert!(!offline.online && offline.cover_open && !offline.paper_out);
        let paper = parse_status([0x12, 0x32, 0x72]).expect("valid status bytes");
        assert!(paper.paper_out);
        assert_eq!(paper.refusal(), Some(NotSentReason::PaperOut));
        let low = parse_status([0x12, 0x12, 0x1E]).expect("valid status bytes");
        assert!(low.paper_low && low.refusal().is_none());
        assert_eq!(parse_status([0x12, 0x00, 0x12]), None);
        assert_eq!(parse_status([0x93, 0x12, 0x12]), None);
    }
}
