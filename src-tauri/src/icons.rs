//! The tray icons, embedded at compile time from `icons/` (see `icons/generate.py`).

use tauri::image::Image;

use crate::status::TrayIconState;

/// The icon image for a tray state. `include_image!` decodes the PNGs while compiling, so a
/// broken icon fails the build rather than the tray at run time.
pub fn tray_icon(state: TrayIconState) -> Image<'static> {
    match state {
        TrayIconState::Ok => tauri::include_image!("../icons/tray-ok.png"),
        TrayIconState::Refreshing => tauri::include_image!("../icons/tray-refreshing.png"),
        TrayIconState::Attention => tauri::include_image!("../icons/tray-attention.png"),
        TrayIconState::Locked => tauri::include_image!("../icons/tray-locked.png"),
    }
}
