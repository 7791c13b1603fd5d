//! A file sink for development: each job's bytes are appended to a file, whose directories are created.

use std::{
    fs::{self, OpenOptions},
    io::Write,
    path::PathBuf,
};

use crate::{transport::Sent, NotSentReason, PrintError};

/// A file the jobs are appended to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSink {
    /// The file.
    pub path: PathBuf,
}

impl FileSink {
    /// A sink writing to a file.
    pub fn new(path: impl Into<PathBuf>) -> FileSink {
        FileSink { path: path.into() }
    }

    /// Appends a job to the file.
    pub async fn send(&self, job: &[u8]) -> Result<Sent, PrintError> {
        let path = self.path.clone();
        let name = path.display().to_string();
        let job = job.to_vec();
        let task_name = name.clone();
        let written = tokio::task::spawn_blocking(move || append(&path, &job, &task_name)).await;
        match written {
            Ok(result) => result,
            Err(e) => Err(PrintError::Uncertain {
                printer: name,
                written: 0,
                reason: format!("the writing task failed: {e}"),
            }),
        }
    }
}

fn append(path: &std::path::Path, job: &[u8], name: &str) -> Result<Sent, PrintError> {
    let not_sent = |e: std::io::Error| PrintError::not_sent(name, NotSentReason::File(e.to_string()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(not_sent)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(not_sent)?;
    let mut written = 0;
    while written < job.len() {
        match file.write(&job[written..]) {
            Ok(0) => return Err(fail(name, written, "the file took no more bytes".into())),
            Ok(n) => written += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(fail(name, written, e.to_string())),
        }
    }
    file.flush().map_err(|e| fail(name, written, e.to_string()))?;
    Ok(Sent {
        bytes: written,
        spool_job: None,
    })
}

fn fail(name: &str, written: usize, reason: String) -> PrintError {
    if written == 0 {
        PrintError::not_sent(name, NotSentReason::File(reason))
    } else {
        PrintError::Uncertain {
            printer: name.to_owned(),
            written,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_are_appended_and_directories_created() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let sink = FileSink::new(dir.path().join("a/b/jobs.bin"));
        let sent = sink.send(b"one").await.expect("the first job is written");
        assert_eq!(sent.bytes, 3);
        sink.send(b"two").await.expect("the second job is written");
        let bytes = std::fs::read(&sink.path).expect("the file is there");
        assert_eq!(bytes, b"onetwo");
    }

    #[tokio::test]
    async fn a_file_that_cannot_be_opened_is_not_sent() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let sink = FileSink::new(dir.path());
        let err = sink.send(b"job").await.expect_err("a directory is not a file");
        assert!(!err.maybe_sent(), "{err}");
    }
}
