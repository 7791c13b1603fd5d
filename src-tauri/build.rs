//! Tauri build script: reads the root `tauri.conf.json` and declares the app's two commands (the command
//! set's `execute`, and `sync`), so the capability in `capabilities/default.json` can allow exactly those.

fn main() {
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&["execute", "sync"]));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build script failed: {error:#}");
    }
}
