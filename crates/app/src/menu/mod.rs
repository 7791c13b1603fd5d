//! The menu area: the restaurant and its menu as the UI and scripts see them, and importing a new menu
//! version.

pub mod view;

use crate::{error::AppError, setup, till::Till, view::Reply};
use view::MenuView;

impl Till {
    /// The restaurant and its menu.
    pub(crate) fn menu_reply(&self) -> Reply {
        Reply::Menu(MenuView::new(&self.restaurant, self.menu_version, &self.catalog))
    }

    /// Imports a new menu version and starts using it.
    pub async fn import_menu(&mut self, json: &str) -> Result<i64, AppError> {
        let version = setup::import_menu(
            &self.store,
            json,
            self.services.clock.as_ref(),
            self.services.ids.as_ref(),
        )
        .await?;
        if let Some((v, catalog)) = self.store.menu().await? {
            self.menu_version = v;
            self.catalog = catalog;
        }
        Ok(version)
    }
}
