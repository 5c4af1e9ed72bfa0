//! How long `menu_model` takes for 1,000 credentials (a measurement, not a test):
//! `cargo bench -p webex-token-tray --bench menu_model`. The native menu built from the model and
//! the panel's GetLayout are measured with the running app by `bench-tray menu`.

use std::time::{Duration, Instant};

use chrono::Utc;
use webex_token_core::Health;
use webex_token_core::model::{CredentialId, Kind};
use webex_token_core::state::AttentionReason;
use webex_token_tray::menu::menu_model;
use webex_token_tray::status::{Activity, CredentialView, Keeper, TrayStatus, VaultState};

fn status(count: usize) -> TrayStatus {
    let now = Utc::now();
    let credentials = (0..count)
        .map(|i| CredentialView {
            id: CredentialId::parse(&format!("int-bench{i:06}")).expect("a valid id"),
            name: format!("Customer {i:04} integration"),
            label: (i % 3 != 0).then(|| format!("Org {}", i % 40)),
            kind: if i % 10 == 0 {
                Kind::ServiceApp
            } else {
                Kind::Integration
            },
            health: Health::Ok,
            stored: true,
            access_expires_at: Some(now + chrono::Duration::hours(11)),
            refresh_expires_at: Some(now + chrono::Duration::days(80)),
            obtained_at: Some(now),
            retry_at: None,
            attention: (i % 97 == 0).then_some(AttentionReason::RefreshTokenRejected),
            remedy: (i % 97 == 0).then(|| {
                webex_token_core::remedy::Remedy::here(
                    webex_token_core::remedy::RemedyKind::Authorize,
                )
            }),
            bearer_name: (i % 10 == 0).then(|| "Minter".to_owned()),
            activity: Activity::Idle,
        })
        .collect();
    TrayStatus {
        vault: VaultState::Open,
        keeper: Keeper::ThisApp,
        credentials,
        ..TrayStatus::at_startup(now)
    }
}

fn main() {
    for count in [50, 1000, 5000] {
        let status = status(count);
        let mut times: Vec<Duration> = Vec::new();
        let mut entries = 0;
        for _ in 0..50 {
            let started = Instant::now();
            let model = menu_model(&status);
            times.push(started.elapsed());
            entries = model.walk().len();
        }
        times.sort();
        println!(
            "menu_model, {count:5} credentials: {entries:6} entries, median {:7.3} ms, max {:7.3} ms",
            times[times.len() / 2].as_secs_f64() * 1000.0,
            times[times.len() - 1].as_secs_f64() * 1000.0
        );
    }
}
