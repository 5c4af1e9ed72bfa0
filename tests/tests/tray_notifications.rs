//! Notifications, recorded by a test-owned org.freedesktop.Notifications: exactly one when the
//! fake declares a refresh token dead, one when authorizing again from the tray fixes it, none
//! for a single 503 that the next try gets past; incidents found at startup told once, together;
//! the switch in the menu persists.

use std::time::Duration;

use anyhow::Result;
use webex_token_tests::desktop::tray::{DEADLINE, TrayDesktop, authorized, credential};
use webex_token_tests::fake::{Endpoint, Fault, Rotation};
use webex_token_tests::sandbox::{Sandbox, follow_as_browser};

#[tokio::test(flavor = "multi_thread")]
async fn one_notification_per_incident_one_on_recovery_none_for_a_passing_503() -> Result<()> {
    let sandbox = Sandbox::start().await;
    sandbox.fake.set_rotation(Rotation::Keep);
    let dead = authorized(&sandbox, "Dead", Duration::from_secs(4)).await;
    // Refreshed at half its life; a failed try waits 15 to 30 s, well before it expires.
    let flaky = authorized(&sandbox, "Flaky", Duration::from_secs(90)).await;
    sandbox.fake.inject_for(
        &flaky,
        Endpoint::AccessToken,
        Fault::ServerError(503),
        Some(1),
    );

    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch().await?;
    tray.wait_for_menu("both credentials", |m| {
        credential(m, "Dead").is_some() && credential(m, "Flaky").is_some()
    })
    .await?;

    // Webex declares Dead's refresh token dead: its next refresh is refused.
    let refresh_token = sandbox.fake.current_refresh_token(&dead).unwrap();
    sandbox.fake.revoke_refresh_token(&refresh_token);
    let told = desktop
        .notifications
        .wait_for("the incident", DEADLINE, |n| !n.is_empty())
        .await?;
    assert_eq!(told[0].summary, "“Dead” needs attention");
    assert_eq!(
        told[0].body,
        "Webex no longer accepts its refresh token. Choose “Authorize again…” in its tray menu."
    );
    tray.wait_for_menu("Dead needing attention", |m| {
        m.find("⚠ Dead · authorize again").is_some()
    })
    .await?;

    // Flaky's single 503 passes unnoticed: its next try succeeds. Meanwhile the menu was read
    // again several times with Dead still needing attention: still one notification.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(150);
    loop {
        let grants: Vec<u16> = sandbox.refreshes(&flaky).iter().map(|r| r.status).collect();
        if grants.first() == Some(&503) && grants.iter().skip(1).any(|s| *s == 200) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "Flaky was not refreshed after its 503: {grants:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tray.wait_for_menu("Flaky fine again", |m| {
        credential(m, "Flaky").is_some_and(|c| !c.text().contains("retrying"))
    })
    .await?;
    assert_eq!(desktop.notifications.recorded().len(), 1);

    // Authorized again from the tray: the browser is sent to Webex, the redirect comes back.
    tray.click(&["⚠ Dead", "Authorize again…"]).await?;
    let pages = desktop.wait_for_pages(1).await?;
    tray.wait_for_menu("authorizing", |m| m.find("↻ Dead · authorizing…").is_some())
        .await?;
    let (status, _) = follow_as_browser(&pages[0]).await;
    assert_eq!(status, 200);
    let told = desktop
        .notifications
        .wait_for("the recovery", DEADLINE, |n| n.len() >= 2)
        .await?;
    assert_eq!(told[1].summary, "“Dead” works again");

    let all = desktop.notifications.recorded();
    assert_eq!(
        all.iter().map(|n| n.summary.as_str()).collect::<Vec<_>>(),
        ["“Dead” needs attention", "“Dead” works again"],
        "{all:#?}"
    );
    tray.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_switched_off_stay_off_after_a_restart() -> Result<()> {
    let sandbox = Sandbox::start().await;
    sandbox.fake.set_rotation(Rotation::Keep);
    let dead = authorized(&sandbox, "Dead", Duration::from_secs(4)).await;
    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch().await?;
    let menu = tray
        .wait_for_menu("Dead", |m| credential(m, "Dead").is_some())
        .await?;
    assert_eq!(
        menu.find("Notifications").and_then(|n| n.checked),
        Some(true)
    );
    tray.click(&["Notifications"]).await?;
    tray.wait_for_menu("notifications off", |m| {
        m.find("Notifications").and_then(|n| n.checked) == Some(false)
    })
    .await?;
    let (status, _) = tray.terminate().await?;
    assert_eq!(status.code(), Some(0));

    let mut tray = desktop.launch().await?;
    tray.wait_for_menu("notifications still off", |m| {
        m.find("Notifications").and_then(|n| n.checked) == Some(false)
            && credential(m, "Dead").is_some()
    })
    .await?;
    sandbox
        .fake
        .revoke_refresh_token(&sandbox.fake.current_refresh_token(&dead).unwrap());
    tray.wait_for_menu("Dead needing attention", |m| {
        m.find("⚠ Dead · authorize again").is_some()
    })
    .await?;
    // The decision is logged before the menu shows the change.
    assert!(
        !tray.app.output().contains("notifying:"),
        "{}",
        tray.app.output()
    );
    assert_eq!(desktop.notifications.recorded(), []);
    tray.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn incidents_already_there_at_startup_are_told_once_together() -> Result<()> {
    let sandbox = Sandbox::start().await;
    sandbox.fake.set_rotation(Rotation::Keep);
    // Two refresh tokens died while no tray ran (a script's refresh found out); one is fine.
    for name in ["Dead one", "Dead two"] {
        let client = authorized(&sandbox, name, Duration::from_secs(3600)).await;
        sandbox
            .fake
            .revoke_refresh_token(&sandbox.fake.current_refresh_token(&client).unwrap());
        sandbox.run(&["refresh", name]).await.fails();
    }
    let fine = authorized(&sandbox, "Fine", Duration::from_secs(3600)).await;

    let mut desktop = TrayDesktop::start(&sandbox).await?;
    let mut tray = desktop.launch().await?;
    tray.wait_for_menu("both dead ones first", |m| {
        m.find("⚠ Dead one · authorize again").is_some()
            && m.find("⚠ Dead two · authorize again").is_some()
            && credential(m, "Fine").is_some()
    })
    .await?;
    let told = desktop
        .notifications
        .wait_for("the startup notice", DEADLINE, |n| !n.is_empty())
        .await?;
    assert_eq!(told[0].summary, "2 credentials need attention");
    assert!(
        told[0].body.starts_with("“Dead one”, “Dead two”."),
        "{}",
        told[0].body
    );

    // Looking again after a refresh tells nothing new: the incidents were told.
    let fine_before = sandbox.refreshes(&fine).len();
    tray.click_credential("Fine", "Refresh now").await?;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !tray.app.output().contains("refreshed on request") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "Fine was not refreshed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sandbox.refreshes(&fine).len(), fine_before + 1);
    tray.wait_for_menu("still both needing attention", |m| {
        m.find("⚠ Dead one · authorize again").is_some()
            && m.find("⚠ Dead two · authorize again").is_some()
    })
    .await?;
    assert_eq!(desktop.notifications.recorded().len(), 1);
    tray.stop().await?;
    Ok(())
}
