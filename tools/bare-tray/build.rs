// Generates the Tauri context that `tauri::generate_context!` embeds, as the app's build does.
fn main() {
    tauri_build::build();
}
