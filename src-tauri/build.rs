//! Tauri build script: reads the root `tauri.conf.json` and declares the app's one command, so the
//! capability in `capabilities/default.json` can allow exactly that.

fn main() {
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&["execute"]));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build script failed: {error:#}");
    }
}
