//! How new tokens are obtained: an integration refreshes with its refresh token; a service app
//! walks the recovery chain of webex-api.md, cheapest first (its own refresh token; a mint with
//! its bearer's token; a refresh of the bearer and a mint again), and only then asks a person.

use chrono::Duration;

use super::outcome::Obtained;
use super::{RefreshError, Refresher, Retry, Subject, Want};
use crate::api_base::bearer_base_mismatch;
use crate::failure::{Failure, FailureKind, Step, classify};
use crate::model::{Credential, KindSettings, ServiceAppSettings};
use crate::remedy::{Remedy, RemedyKind};
use crate::secret::Secret;
use crate::state::{Action, AttentionReason};
use crate::vault::Record;
use crate::webex::TokenGrant;

/// A bearer token this close to its end is not worth minting with.
const BEARER_MIN_VALID: Duration = Duration::seconds(60);

impl Refresher {
    /// One pass of obtaining tokens for an integration or a service app.
    pub(super) async fn obtain(
        &self,
        subject: Subject<'_>,
        record: &Record,
    ) -> Result<Obtained, Failure> {
        let credential = subject.credential;
        match &credential.settings {
            KindSettings::Integration(settings) => {
                let secret = client_secret(record)?;
                let Some(refresh_token) = &record.secrets.refresh_token else {
                    return Err(Failure::needs_human(
                        AttentionReason::NotAuthorized,
                        Remedy::here(RemedyKind::Authorize),
                        "it has no refresh token",
                    ));
                };
                let grant = self
                    .webex
                    .refresh(
                        &self.api_base(credential),
                        &settings.client_id,
                        secret,
                        refresh_token,
                    )
                    .await
                    .map_err(|e| classify(Step::Refresh, &e))?;
                Ok(Obtained {
                    grant,
                    action: Action::Refresh,
                    old_refresh_dead: false,
                })
            }
            KindSettings::ServiceApp(settings) => {
                self.obtain_service_app(subject, settings, record).await
            }
            KindSettings::Personal(_) => Err(Failure::needs_human(
                AttentionReason::PersonalTokenExpiring,
                Remedy::here(RemedyKind::ReplacePersonalToken),
                "personal access tokens cannot be refreshed",
            )),
        }
    }

    async fn obtain_service_app(
        &self,
        subject: Subject<'_>,
        settings: &ServiceAppSettings,
        record: &Record,
    ) -> Result<Obtained, Failure> {
        let credential = subject.credential;
        let secret = client_secret(record)?;
        let base = self.api_base(credential);
        let mut old_refresh_dead = false;
        // The base of either may have changed since the add (config, WEBEX_API_BASE).
        if let Some(bearer) = subject.bearer
            && let Some(problem) =
                bearer_base_mismatch(&base, bearer, self.default_base.get().as_ref())
        {
            return Err(Failure::needs_human(
                AttentionReason::BearerUnusable,
                Remedy::here(RemedyKind::ReviewSettings),
                problem,
            ));
        }

        // 1. The app's own refresh token.
        if let Some(refresh_token) = &record.secrets.refresh_token {
            match self
                .webex
                .refresh(&base, &settings.client_id, secret, refresh_token)
                .await
            {
                Ok(grant) => {
                    return Ok(Obtained {
                        grant,
                        action: Action::Refresh,
                        old_refresh_dead: false,
                    });
                }
                Err(error) => {
                    let failure = classify(Step::Refresh, &error);
                    if failure.is_transient()
                        || failure.reason() == Some(AttentionReason::ClientRejected)
                    {
                        return Err(failure);
                    }
                    self.audit_step(credential, Action::Refresh, &failure);
                    old_refresh_dead = true;
                }
            }
        }

        // 2. Mint with the bearer's current token.
        let Some(bearer) = subject.bearer else {
            return Err(Failure::needs_human(
                AttentionReason::BearerUnusable,
                Remedy::here(RemedyKind::ChooseBearer),
                format!(
                    "the credential that minted its tokens ({}) was removed",
                    settings.bearer
                ),
            ));
        };
        let bearer_record = self
            .vault
            .get(&bearer.id)
            .await
            .map_err(|e| bearer_failure(bearer, &e.to_string()))?
            .ok_or_else(|| bearer_failure(bearer, "it has no secrets stored"))?;
        let now = self.recorder.now();
        let usable = bearer_record
            .state
            .access_expires_at
            .is_none_or(|at| at - now > BEARER_MIN_VALID);
        if let (Some(token), true) = (&bearer_record.secrets.access_token, usable) {
            match self.mint(credential, settings, secret, token).await {
                Ok(grant) => {
                    return Ok(Obtained {
                        grant,
                        action: Action::Mint,
                        old_refresh_dead,
                    });
                }
                Err(failure) if failure.reason() == Some(AttentionReason::BearerUnusable) => {
                    self.audit_step(credential, Action::Mint, &failure);
                }
                Err(failure) => return Err(failure),
            }
        }

        // 3. Refresh the bearer (under its own lock; another process may just have), then mint.
        if let KindSettings::Personal(_) = bearer.settings {
            return Err(Failure::needs_human(
                AttentionReason::BearerUnusable,
                Remedy::on(RemedyKind::ReplacePersonalToken, &bearer.id),
                format!(
                    "the personal access token \"{}\" that mints its tokens has expired or was refused",
                    bearer.name
                ),
            ));
        }
        let want = Want {
            replace_version: Some(bearer_record.version),
            ..Want::valid_for(BEARER_MIN_VALID)
        };
        let fresh = match self
            .refresh_locked(Subject::alone(bearer), want, Retry::ONCE)
            .await
        {
            Ok(fresh) => fresh,
            Err(RefreshError::Failed { failure, .. }) if failure.is_transient() => {
                return Err(failure);
            }
            Err(RefreshError::Failed { failure, .. }) => {
                let failure = failure.remedied_on(&bearer.id);
                let remedy = failure
                    .remedy()
                    .cloned()
                    .unwrap_or_else(|| bearer_remedy(bearer));
                return Err(Failure {
                    detail: format!(
                        "\"{}\", which mints its tokens, cannot provide a token: {}",
                        bearer.name, failure.detail
                    ),
                    kind: FailureKind::NeedsHuman {
                        reason: AttentionReason::BearerUnusable,
                        remedy,
                    },
                    ..failure
                });
            }
            Err(other) => return Err(bearer_failure(bearer, &other.to_string())),
        };
        let token = fresh
            .secrets
            .access_token
            .as_ref()
            .ok_or_else(|| bearer_failure(bearer, "it has no access token"))?;
        match self.mint(credential, settings, secret, token).await {
            Ok(grant) => Ok(Obtained {
                grant,
                action: Action::Mint,
                old_refresh_dead,
            }),
            Err(failure) if failure.reason() == Some(AttentionReason::BearerUnusable) => {
                Err(Failure {
                    detail: format!(
                        "{}, even fresh from \"{}\": does it have the spark:applications_token scope?",
                        failure.detail, bearer.name
                    ),
                    kind: FailureKind::NeedsHuman {
                        reason: AttentionReason::BearerUnusable,
                        remedy: Remedy::on(RemedyKind::ReviewSettings, &bearer.id),
                    },
                    ..failure
                })
            }
            Err(failure) => Err(failure),
        }
    }

    async fn mint(
        &self,
        credential: &Credential,
        settings: &ServiceAppSettings,
        secret: &Secret,
        bearer_token: &Secret,
    ) -> Result<TokenGrant, Failure> {
        self.webex
            .mint_service_app_token(
                &self.api_base(credential),
                bearer_token,
                &settings.app_id(),
                &settings.client_id,
                secret,
                &settings.target_org_id,
            )
            .await
            .map_err(|e| classify(Step::Mint, &e))
    }
}

fn client_secret(record: &Record) -> Result<&Secret, Failure> {
    record.secrets.client_secret.as_ref().ok_or_else(|| {
        Failure::needs_human(
            AttentionReason::ClientRejected,
            Remedy::here(RemedyKind::ReplaceClientSecret),
            "no client secret is stored",
        )
    })
}

/// What gives a bearer a usable token again.
fn bearer_remedy(bearer: &Credential) -> Remedy {
    match bearer.settings {
        KindSettings::Personal(_) => Remedy::on(RemedyKind::ReplacePersonalToken, &bearer.id),
        _ => Remedy::on(RemedyKind::Authorize, &bearer.id),
    }
}

fn bearer_failure(bearer: &Credential, why: &str) -> Failure {
    Failure::needs_human(
        AttentionReason::BearerUnusable,
        bearer_remedy(bearer),
        format!(
            "\"{}\", which mints its tokens, cannot provide a token: {why}",
            bearer.name
        ),
    )
}
