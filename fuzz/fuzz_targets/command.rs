//! Fuzzes the command set from the front door in: any bytes as a `fynlo exec` line. A line that parses
//! as a command runs on a real till (a demo database in a temporary folder, kept for the whole run, with
//! a manager logged in), so commands build on each other's state. The till must never panic; every
//! refusal must carry one of the closed set of codes.

#![no_main]

use std::sync::{Arc, Mutex, OnceLock};

use fynlo_app::{
    clock::{SystemClock, UuidV7},
    payments::SimulatedProvider,
    setup::{self, SetupFile},
    Command, ErrorCode, Services, Till,
};
use libfuzzer_sys::fuzz_target;

struct Bench {
    runtime: tokio::runtime::Runtime,
    till: Mutex<Till>,
    _dir: tempfile::TempDir,
}

fn bench() -> &'static Bench {
    static BENCH: OnceLock<Bench> = OnceLock::new();
    BENCH.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("till.db");
        let till = runtime.block_on(async {
            let demo = SetupFile::demo().expect("the demo parses");
            setup::init(&path, &demo, &SystemClock, &UuidV7)
                .await
                .expect("sets up")
                .close()
                .await
                .expect("closes");
            let services = Services::new(Arc::new(SystemClock), Arc::new(UuidV7), Arc::new(SimulatedProvider::in_memory()));
            let mut till = Till::open(&path, services).await.expect("opens");
            let login = serde_json::from_str(r#"{"cmd": "login", "pin": "2468"}"#).expect("parses");
            till.execute(login).await.expect("logs in");
            till
        });
        Bench {
            runtime,
            till: Mutex::new(till),
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(command) = serde_json::from_str::<Command>(text) else { return };
    // Logging out or in would lock the till for the rest of the run; wrong PINs would lock PIN entry.
    if matches!(command, Command::Logout | Command::Login(_)) {
        return;
    }
    let b = bench();
    let Ok(mut till) = b.till.lock() else { return };
    if let Err(e) = b.runtime.block_on(till.execute(command)) {
        assert!(ErrorCode::ALL.contains(&e.code));
        assert!(!e.message.is_empty());
    }
});
