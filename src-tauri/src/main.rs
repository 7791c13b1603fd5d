//! The Fynlo POS till app on a desktop: everything is in the library, so the iPad build shares it.

// No console window next to the till on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    fynlo_pos::run();
}
