// Generates the Tauri context (config, icons, permissions) that `tauri::generate_context!` embeds.
fn main() {
    tauri_build::build();
}
