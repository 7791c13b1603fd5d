//! `fynlo`: the headless Fynlo POS command line for developers, scripting and support.
//!
//! It runs the same command set as the till app (`fynlo-app`), against the same `SQLite` file.

mod exec;
mod human;
mod sync;

use std::{
    io::{self, Read},
    path::PathBuf,
    process::ExitCode,
    sync::Arc,
};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use fynlo_app::{
    clock::{SystemClock, UuidV7},
    payments::SimulatedProvider,
    read::Reader,
    session::pin,
    setup::{self, SetupFile},
    Failpoints, Services, Step, Till,
};
use fynlo_core::{staff::Pin, time::Clock};
use fynlo_sync::{pay::CloudPayments, SyncEngine, SyncOptions};

#[derive(Parser)]
#[command(name = "fynlo", version, about = "Fynlo POS: the till's command line")]
struct Cli {
    /// The till's database file.
    #[arg(long, global = true, env = "FYNLO_DB", default_value = "fynlo.db")]
    db: PathBuf,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create a new till database.
    Init {
        /// Load the demo restaurant (menu, staff, settings).
        #[arg(long, conflicts_with = "setup")]
        demo: bool,
        /// Load a setup file (restaurant, menu, staff) instead.
        #[arg(long)]
        setup: Option<PathBuf>,
        /// Replace an existing database (refused while a till is using it). The new one is built beside
        /// it and moved into place whole; the payment simulator's records go with the old one.
        #[arg(long)]
        force: bool,
    },
    /// Import a menu file (see docs/menu-format.md) as a new menu version.
    ImportMenu {
        /// The menu JSON file.
        file: PathBuf,
    },
    /// Run JSON commands, one per line, from a file or stdin; print one JSON result per line.
    Exec {
        /// The script (default: stdin).
        file: Option<PathBuf>,
        /// Stop at the first command that fails.
        #[arg(long)]
        stop_on_error: bool,
        /// Print the jobs the script made (receipts, tickets, drawer kicks) before exiting, waiting at
        /// most `--print-wait` seconds for printers (otherwise they wait for the next `fynlo print`).
        #[arg(long)]
        print: bool,
        /// How long `--print` waits for printers, in seconds.
        #[arg(long, default_value_t = 10)]
        print_wait: u64,
    },
    /// Print waiting print jobs (receipts, kitchen tickets, drawer kicks) and report what is left.
    Print {
        /// Give up on printers that do not take their jobs after this many seconds (jobs stay waiting).
        #[arg(long, default_value_t = 10)]
        wait: u64,
    },
    /// Show the restaurant and its menu.
    Menu,
    /// List open orders.
    Orders,
    /// Show one order with its totals.
    Order {
        /// Order id, or today's order number.
        order: String,
        /// Also show its history.
        #[arg(long)]
        history: bool,
    },
    /// Print outbox ops (the offline queue) as JSON lines.
    Outbox {
        /// Only ops after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Mend a database whose journal cannot be applied (an order number given to two orders, which two
    /// processes writing one database could do), then check that it opens.
    Repair,
    /// The audit chain: check it (`verify`) or list its newest entries (`list`).
    Audit {
        /// What to do.
        #[command(subcommand)]
        action: AuditCmd,
    },
    /// Hash a PIN (read from stdin) for a setup file.
    HashPin,
    /// Pair this till with the cloud, using the one-time code a manager made there (docs/sync.md).
    Pair {
        /// The cloud's address (`https://…`, or `http://127.0.0.1:8787` for a local one).
        #[arg(long, env = "FYNLO_CLOUD_URL")]
        cloud: String,
        /// The pairing code.
        #[arg(long)]
        code: String,
        /// What to call this till in the cloud.
        #[arg(long, default_value = "Till")]
        name: String,
    },
    /// Unpair this till from the cloud (a manager's PIN, read from stdin, approves it).
    Unpair,
    /// Push the till's waiting ops and pull the cloud's changes, then print the sync's state as JSON.
    Sync {
        /// Only print the state.
        #[arg(long, conflicts_with_all = ["notes", "watch"])]
        status: bool,
        /// Print the cloud's notes on ops it did not apply whole.
        #[arg(long, conflicts_with = "watch")]
        notes: bool,
        /// Keep syncing (and listening for live events) until interrupted, printing each new state.
        #[arg(long)]
        watch: bool,
    },
    /// The till's card provider: Stripe (its settings and secret key in the keychain) or the simulator
    /// (docs/payments.md).
    Cards {
        /// What to do.
        #[command(subcommand)]
        action: CardsCmd,
    },
    /// Write the UI's TypeScript types generated from the Rust boundary types.
    GenTs {
        /// Where to write them.
        #[arg(long, default_value = fynlo_app::bindings::BINDINGS_PATH)]
        out: PathBuf,
        /// Only check that the file is up to date.
        #[arg(long)]
        check: bool,
    },
}

/// `fynlo cards …`.
#[derive(Debug, clap::Subcommand)]
enum CardsCmd {
    /// Which card provider the till uses, as JSON (never the secret key).
    Status,
    /// Take cards through Stripe. Stdin holds a manager's PIN (the `settings` permission) on its first
    /// line and the secret key (`sk_…` or `rk_…`) on its second — never the command line; the key is
    /// kept in the keychain with these settings.
    ConnectStripe {
        /// Stripe's address (a local fake's in tests).
        #[arg(long, default_value = "https://api.stripe.com")]
        api_url: String,
        /// The payment method to confirm with (required with a live key; in test mode the simulator's
        /// choice picks a Stripe test card).
        #[arg(long)]
        payment_method: Option<String>,
        /// Authorise, then capture in a second call (`capture_method=manual`).
        #[arg(long)]
        manual_capture: bool,
        /// Seconds before a call to Stripe counts as unanswered.
        #[arg(long, default_value_t = 10)]
        timeout_seconds: u64,
    },
    /// Take cards through the simulator again: Stripe's settings are forgotten (a manager's PIN on
    /// stdin).
    Disconnect,
}

/// `fynlo audit …`.
#[derive(Debug, clap::Subcommand)]
enum AuditCmd {
    /// Check the whole chain: every entry edited, removed or reordered is named; exits 4 when any is.
    Verify,
    /// The newest entries, newest first, as JSON lines.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only actions starting with this (`drawer.`, `order.line_voided`…).
        #[arg(long)]
        action: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The keychain (Linux keyutils) needs a session keyring, joined before any thread starts.
    if let Err(e) = fynlo_sync::secrets::prepare_process() {
        eprintln!("fynlo: {e} (pairing and syncing will say so)");
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fynlo: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fynlo: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The till's payment provider from the command line, as in the app: pay by bank through the cloud
/// once the till is paired (`fynlo_sync::pay`, which needs a sync engine attached); cards through Stripe
/// when it is connected, else — and pay by bank on a till never paired — through the simulator, which
/// keeps its records beside the database.
async fn bank(db: &std::path::Path) -> Result<CloudPayments> {
    let simulator = Arc::new(SimulatedProvider::at(&SimulatedProvider::file_beside(db)));
    // Cards: Stripe when this till's settings are in the keychain (`fynlo cards connect-stripe`).
    let device = Reader::open(db).await?.device();
    let secrets = fynlo_sync::secrets::platform_or_unavailable();
    let cards = fynlo_sync::pay::cards(secrets.as_ref(), &device, simulator);
    Ok(CloudPayments::new(cards).simulating_when_unpaired())
}

/// What the till runs with from the command line: the system clock, `UUIDv7` ids, the payment provider
/// ([`bank`], no engine attached), and — for the crash tests only — a failpoint named by
/// `FYNLO_FAILPOINT`.
async fn services(db: &std::path::Path) -> Result<Services> {
    services_with(Arc::new(bank(db).await?))
}

fn services_with(provider: Arc<CloudPayments>) -> Result<Services> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    Ok(Services::new(clock, Arc::new(UuidV7), provider).with_failpoints(failpoints()?))
}

/// Logs the PIN's member in on the till at `db` and checks they may change its settings (a wrong PIN
/// counts towards the lockout, as on the till).
async fn authorise_settings(db: &std::path::Path, pin: String) -> Result<()> {
    let mut till = Till::open(db, services(db).await?).await?;
    let login = fynlo_app::Command::Login(fynlo_app::session::request::Login { pin, staff: None });
    if let Err(e) = till.execute(login).await {
        bail!("{}: {}", e.code.as_str(), e.message);
    }
    if let Err(e) = till.authorise_settings().await {
        bail!("{}: {}", e.code.as_str(), e.message);
    }
    Ok(())
}

/// The crash tests' failpoint, named by `FYNLO_FAILPOINT`; none otherwise.
fn failpoints() -> Result<Failpoints> {
    Ok(match std::env::var("FYNLO_FAILPOINT") {
        Ok(name) => Failpoints::abort_at(name.parse::<Step>().map_err(anyhow::Error::msg)?),
        Err(_) => Failpoints::none(),
    })
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let ids = Arc::new(UuidV7);
    match cli.command {
        Cmd::Init {
            demo,
            setup: file,
            force,
        } => {
            let setup = match (demo, file) {
                (true, _) => SetupFile::demo()?,
                (false, Some(path)) => {
                    let json = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                    SetupFile::parse(&json)?
                }
                (false, None) => bail!("say what to load: --demo or --setup FILE"),
            };
            let store = if force {
                let failpoints = failpoints()?;
                setup::reinit(&cli.db, &setup, clock.as_ref(), ids.as_ref(), failpoints).await?
            } else {
                setup::init(&cli.db, &setup, clock.as_ref(), ids.as_ref()).await?
            };
            println!(
                "Created {} for {} (device {}).",
                cli.db.display(),
                setup.restaurant.name,
                store.device()
            );
            store.close().await?;
        }
        Cmd::ImportMenu { file } => {
            let json = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let mut till = Till::open(&cli.db, services(&cli.db).await?).await?;
            let version = till.import_menu(&json).await?;
            println!("Imported menu version {version}.");
        }
        Cmd::Exec {
            file,
            stop_on_error,
            print,
            print_wait,
        } => {
            // Paired, pay by bank goes through the cloud: the sync engine is attached to the provider
            // (its loop does not run), and what opening could not ask the cloud is asked now.
            let bank = bank(&cli.db).await?;
            let till = Till::open(&cli.db, services_with(Arc::new(bank.clone()))?).await?;
            let waiting = till.recovered().attempts.iter().any(|a| a.status.in_flight());
            let till = Arc::new(tokio::sync::Mutex::new(till));
            let engine = SyncEngine::open(
                Arc::clone(&till),
                fynlo_sync::secrets::platform_or_unavailable(),
                SyncOptions::default(),
            )
            .await?;
            bank.attach(&engine);
            if waiting {
                if let Err(e) = till.lock().await.recover_in_flight().await {
                    eprintln!("fynlo: payments left in flight: {}", e.message);
                }
            }
            let mut till = till.lock().await;
            let script: Box<dyn io::BufRead> = match file {
                Some(path) => Box::new(io::BufReader::new(
                    std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?,
                )),
                None => Box::new(io::BufReader::new(io::stdin())),
            };
            let ok = exec::run(&mut till, script, io::stdout().lock(), stop_on_error).await?;
            if print {
                print_jobs(&till, print_wait).await?;
            }
            return Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) });
        }
        Cmd::Print { wait } => {
            let till = Till::open(&cli.db, services(&cli.db).await?).await?;
            let waiting = print_jobs(&till, wait).await?;
            return Ok(if waiting == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            });
        }
        Cmd::Menu => {
            let reader = Reader::open(&cli.db).await?;
            print!("{}", human::render_menu(&reader.menu().await?));
        }
        Cmd::Orders => {
            let reader = Reader::open(&cli.db).await?;
            print!("{}", human::open_orders(&reader.open_orders().await?));
        }
        Cmd::Order { order, history } => {
            let reader = Reader::open(&cli.db).await?;
            let (view, entries) = reader.order(&order, clock.now()).await?;
            print!("{}", human::order(&view, history.then_some(&entries)));
        }
        Cmd::Audit { action } => {
            let reader = Reader::open(&cli.db).await?;
            match action {
                AuditCmd::Verify => {
                    let check = reader.verify_audit().await?;
                    if check.problems.is_empty() {
                        println!("audit chain whole: {} entries, head {}", check.entries, check.head);
                    } else {
                        println!("audit chain BROKEN: {} entries checked", check.entries);
                        for p in &check.problems {
                            println!("  entry {} {}: {}", p.no, p.kind, p.message);
                        }
                        return Ok(ExitCode::from(4));
                    }
                }
                AuditCmd::List { limit, action } => {
                    for entry in reader.audit_entries(limit.clamp(1, 10_000), action.as_deref()).await? {
                        println!("{}", serde_json::to_string(&entry)?);
                    }
                }
            }
        }
        Cmd::Outbox { after, limit } => {
            let reader = Reader::open(&cli.db).await?;
            for op in reader.outbox(after, limit).await? {
                println!("{}", serde_json::to_string(&op)?);
            }
        }
        Cmd::Repair => {
            let (store, done) = fynlo_app::setup::repair(&cli.db, clock.as_ref(), ids.as_ref()).await?;
            if done.renumbered.is_empty() {
                println!("{} needs no repair.", cli.db.display());
            }
            for (order, was, now) in &done.renumbered {
                println!("Order {order} was #{was} and is now #{now}: #{was} was given to another order too.");
            }
            store.close().await?;
        }
        Cmd::HashPin => {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text)?;
            let pin = Pin::new(text.trim())?;
            println!("{}", pin::hash_pin(&pin)?.as_str());
        }
        Cmd::Pair { cloud, code, name } => sync::pair(&cli.db, &cloud, &code, &name).await?,
        Cmd::Unpair => {
            let mut pin = String::new();
            io::stdin().read_to_string(&mut pin)?;
            sync::unpair(&cli.db, pin.trim().to_owned()).await?;
        }
        Cmd::Sync { status, notes, watch } => sync::sync(&cli.db, status, notes, watch).await?,
        Cmd::Cards { action } => {
            let secrets = fynlo_sync::secrets::platform_or_unavailable();
            let device = Reader::open(&cli.db).await?.device();
            let view = match action {
                CardsCmd::Status => fynlo_sync::pay::cards_view(secrets.as_ref(), &device)?,
                CardsCmd::ConnectStripe {
                    api_url,
                    payment_method,
                    manual_capture,
                    timeout_seconds,
                } => {
                    let mut input = String::new();
                    io::stdin().read_to_string(&mut input)?;
                    let mut lines = input.lines();
                    let pin = lines.next().unwrap_or_default().trim().to_owned();
                    let key = lines.next().unwrap_or_default().trim().to_owned();
                    authorise_settings(&cli.db, pin).await?;
                    let config = fynlo_sync::pay::StripeConfig {
                        api_url,
                        secret_key: key,
                        payment_method,
                        manual_capture,
                        timeout_seconds,
                    };
                    fynlo_sync::pay::connect_stripe(secrets.as_ref(), &device, &config)?
                }
                CardsCmd::Disconnect => {
                    let mut pin = String::new();
                    io::stdin().read_to_string(&mut pin)?;
                    authorise_settings(&cli.db, pin.trim().to_owned()).await?;
                    fynlo_sync::pay::disconnect_cards(secrets.as_ref(), &device)?
                }
            };
            println!("{}", serde_json::to_string(&view)?);
        }
        Cmd::GenTs { out, check } => {
            // The command set's types, and beside them the sync's (`sync-bindings.ts`).
            let sync_out = out.with_file_name("sync-bindings.ts");
            for (path, ts) in [
                (&out, fynlo_app::bindings::typescript()),
                (&sync_out, fynlo_sync::api::typescript()),
            ] {
                if check {
                    let current = std::fs::read_to_string(path).unwrap_or_default();
                    if current != ts {
                        bail!("{} is stale: run `fynlo gen-ts`", path.display());
                    }
                    println!("{} is up to date.", path.display());
                } else {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    std::fs::write(path, ts)?;
                    println!("Wrote {}.", path.display());
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the till's waiting jobs for at most `wait` seconds; says what printed and what still waits
/// (on stderr), and returns how many wait.
async fn print_jobs(till: &Till, wait: u64) -> anyhow::Result<u32> {
    let spooler = till.spooler();
    let interrupted = spooler.start().await?;
    if interrupted > 0 {
        eprintln!("{interrupted} job(s) were cut off by a stopped till: they print again marked REPRINT.");
    }
    let report = spooler.drain(std::time::Duration::from_secs(wait)).await?;
    eprintln!("Printed {} job(s); {} waiting.", report.printed, report.waiting);
    Ok(report.waiting)
}
