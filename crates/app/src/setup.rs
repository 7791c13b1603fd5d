//! Setting a till up: the setup file (restaurant, menu, staff), the demo restaurant shipped with the
//! project, and importing a menu.
//!
//! The setup file is JSON: `{"restaurant": …, "menu": …, "staff": […]}`. The menu part is the menu format
//! documented in `docs/menu-format.md`; staff carry argon2id PIN hashes only (`fynlo hash-pin` makes one).

use std::path::Path;

use fynlo_core::{
    catalog::{Catalog, CatalogData},
    ids::{DeviceId, StaffId},
    settings::Restaurant,
    staff::Staff,
    time::{Clock, IdSource},
};
use fynlo_payments::SimulatedProvider;
use fynlo_store::{Repaired, Replacement, Store, Write};
use serde::{Deserialize, Serialize};

use crate::{
    error::{AppError, ErrorCode},
    failpoint::{Failpoints, Step},
};

/// The demo restaurant, as shipped in `crates/app/demo/restaurant.json`.
pub const DEMO_JSON: &str = include_str!("../demo/restaurant.json");

/// The demo staff and their PINs, for dev mode and tests. The demo file itself holds only their hashes.
pub const DEMO_PINS: [(&str, &str); 3] = [("priya", "2468"), ("sam", "1357"), ("jo", "8080")];

/// Everything a new till is set up with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupFile {
    /// Who the restaurant is and how it charges.
    pub restaurant: Restaurant,
    /// The menu.
    pub menu: CatalogData,
    /// The staff, with PIN hashes.
    pub staff: Vec<Staff>,
    /// The printers (`docs/printing.md`), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub printers: Vec<crate::printing::config::PrinterConfig>,
}

impl SetupFile {
    /// Parses and validates a setup file.
    pub fn parse(json: &str) -> Result<SetupFile, AppError> {
        let file: SetupFile = fynlo_core::strict::parse(json, "setup file").map_err(AppError::invalid)?;
        file.validate()?;
        Ok(file)
    }

    /// Checks the settings, the menu and the staff.
    pub fn validate(&self) -> Result<(), AppError> {
        self.restaurant.validate()?;
        Catalog::new(self.menu.clone())?;
        if self.staff.is_empty() {
            return Err(AppError::invalid("setup file: at least one member of staff is needed"));
        }
        if !self.staff.iter().any(|s| s.role.is_manager()) {
            return Err(AppError::invalid("setup file: at least one manager or owner is needed"));
        }
        let mut ids: Vec<&StaffId> = self.staff.iter().map(|s| &s.id).collect();
        ids.sort();
        ids.dedup();
        if ids.len() != self.staff.len() {
            return Err(AppError::invalid("setup file: staff ids must be unique"));
        }
        let stations: std::collections::BTreeSet<&str> =
            self.menu.products.iter().map(|p| p.station.as_str()).collect();
        for printer in &self.printers {
            printer.validate()?;
            if let Some(unknown) = printer.stations.iter().find(|s| !stations.contains(s.as_str())) {
                return Err(AppError::invalid(format!(
                    "setup file: printer {:?} serves station {unknown:?}, which no product goes to",
                    printer.id
                )));
            }
        }
        let mut printers: Vec<&str> = self.printers.iter().map(|p| p.id.as_str()).collect();
        printers.sort_unstable();
        printers.dedup();
        if printers.len() != self.printers.len() || printers.len() > 16 {
            return Err(AppError::invalid("setup file: up to 16 printers, with unique ids"));
        }
        Ok(())
    }

    /// The demo restaurant.
    pub fn demo() -> Result<SetupFile, AppError> {
        SetupFile::parse(DEMO_JSON)
    }

    /// The demo restaurant with the printer dev mode gives it: a file printer (`prints/counter.escpos`
    /// beside the database) that prints the kitchen's and the bar's tickets, receipts on its own, and
    /// has a cash drawer — so a developer sees every job's bytes without a printer.
    pub fn demo_with_printer() -> Result<SetupFile, AppError> {
        let mut setup = SetupFile::demo()?;
        setup.printers.push(crate::printing::config::PrinterConfig {
            id: "counter".into(),
            name: "Counter (file)".into(),
            transport: crate::printing::config::TransportConfig::File {
                name: "counter.escpos".into(),
            },
            stations: vec!["kitchen".into(), "bar".into()],
            receipts: true,
            auto_print: true,
            drawer: Some(crate::printing::config::DrawerPinConfig::Pin2),
            ..crate::printing::config::PrinterConfig::preview()
        });
        setup.validate()?;
        Ok(setup)
    }
}

/// The staff id setup and import changes are recorded under.
pub fn system_staff() -> StaffId {
    StaffId::new("system").expect("\"system\" is a valid staff id")
}

/// Creates a new till database at `path` from a setup file. Refuses a path where a file exists.
pub async fn init(path: &Path, setup: &SetupFile, clock: &dyn Clock, ids: &dyn IdSource) -> Result<Store, AppError> {
    // Refused settings create nothing.
    setup.validate()?;
    fill(path, setup, clock, ids).await
}

/// Creates a new till database at `path` from a setup file, replacing the one there (`fynlo init
/// --force`). Nothing is touched until the old database's writer lock is held — a till using it makes
/// this refuse with `conflict` — and the new database is built beside it and moved into place whole,
/// so a process killed at any moment leaves the old database or the new one. What lived beside the old
/// database (the payment simulator's records) goes with it.
pub async fn reinit(
    path: &Path,
    setup: &SetupFile,
    clock: &dyn Clock,
    ids: &dyn IdSource,
    failpoints: Failpoints,
) -> Result<Store, AppError> {
    setup.validate()?;
    let replacement = Replacement::start(path).await?;
    fill(replacement.building(), setup, clock, ids).await?.close().await?;
    failpoints.hit(Step::InitBeforeMove);
    replacement.commit()?;
    match std::fs::remove_file(SimulatedProvider::file_beside(path)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(AppError::new(
                ErrorCode::Storage,
                format!("removing the simulator's records: {e}"),
            ))
        }
    }
    Ok(Store::open(path).await?)
}

/// Opens the database at `path` for writing, mending a journal that cannot be applied (an order number
/// given to two orders): see `fynlo_store::Store::repair`.
pub async fn repair(path: &Path, clock: &dyn Clock, ids: &dyn IdSource) -> Result<(Store, Repaired), AppError> {
    Ok(Store::repair(path, clock.now(), ids).await?)
}

/// Makes a till database at `path` holding the setup file's restaurant, menu and staff.
async fn fill(path: &Path, setup: &SetupFile, clock: &dyn Clock, ids: &dyn IdSource) -> Result<Store, AppError> {
    let device = DeviceId::from_uuid(ids.new_id());
    let store = Store::create(path, device, clock.now()).await?;
    let system = system_staff();
    let w = Write {
        at: clock.now(),
        staff: &system,
        ids,
    };
    store.set_restaurant(&setup.restaurant, &w).await?;
    store.import_menu(&setup.menu, &w).await?;
    for member in &setup.staff {
        store.put_staff(member, &w).await?;
    }
    for printer in &setup.printers {
        let config = serde_json::to_value(printer).map_err(|e| AppError::invalid(e.to_string()))?;
        store.put_printer(&printer.id, &config, &w).await?;
    }
    Ok(store)
}

/// Reads a menu file (`docs/menu-format.md`) strictly — an unknown key is refused by name — and checks
/// it against the menu rules.
pub fn parse_menu(json: &str) -> Result<CatalogData, AppError> {
    let data: CatalogData =
        fynlo_core::strict::parse(json, "menu file").map_err(|e| AppError::new(ErrorCode::InvalidMenu, e))?;
    Catalog::new(data.clone())?;
    Ok(data)
}

/// Imports a new menu version into an existing till; returns the version.
pub async fn import_menu(store: &Store, json: &str, clock: &dyn Clock, ids: &dyn IdSource) -> Result<i64, AppError> {
    let data = parse_menu(json)?;
    let system = system_staff();
    let w = Write {
        at: clock.now(),
        staff: &system,
        ids,
    };
    Ok(store.import_menu(&data, &w).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_restaurant_is_valid_and_realistic() {
        let demo = SetupFile::demo().expect("demo parses");
        let menu = Catalog::new(demo.menu.clone()).expect("demo menu valid");
        let data = menu.data();
        assert!(
            (35..=50).contains(&data.products.len()),
            "{} products",
            data.products.len()
        );
        assert!((6..=7).contains(&data.categories.len()));
        assert!(data.products.iter().any(|p| !p.variants.is_empty()));
        assert!(data.modifier_groups.iter().any(|g| g.min >= 1));
        assert!(data.modifier_groups.iter().any(|g| g.min == 0 && g.max > 1));
        assert!(data
            .products
            .iter()
            .any(|p| p.vat.eat_in == fynlo_core::catalog::VatClass::Standard
                && p.vat.takeaway == fynlo_core::catalog::VatClass::Zero));
        assert_eq!(demo.restaurant.service_charge.rate.get(), 1250);
        assert_eq!(demo.staff.iter().filter(|s| s.role.is_manager()).count(), 1);
        assert_eq!(demo.staff.len(), 3);
    }

    #[test]
    fn demo_file_holds_no_plain_pins() {
        for pin in DEMO_PINS.iter().map(|(_, pin)| pin) {
            assert!(
                !DEMO_JSON.contains(&format!("\"{pin}\"")),
                "demo file contains PIN {pin}"
            );
        }
        assert!(DEMO_JSON.matches("$argon2id$").count() >= 3);
    }

    #[test]
    fn rejects_bad_setup_files() {
        assert_eq!(SetupFile::parse("{").map_err(|e| e.code), Err(ErrorCode::InvalidInput));
        let mut demo: serde_json::Value = serde_json::from_str(DEMO_JSON).expect("json");
        demo["staff"][0]["pin_hash"] = "1234".into();
        assert!(SetupFile::parse(&demo.to_string()).is_err());
    }
}
