//! The API base of credentials without their own, as every process resolves it: the
//! environment, then the config file, then Webex's.

use url::Url;

use crate::config::ConfigStore;
use crate::model::Credential;

/// The API base of every credential without its own: `WEBEX_API_BASE` when the process was
/// started with it, else the config's `[settings] api_base`, else Webex's. The config is read at
/// each use (parsed again only when the file changed), so a default changed in the settings
/// window reaches a running daemon without a restart.
#[derive(Clone, Debug)]
pub struct DefaultBase {
    env: Option<Url>,
    config: Option<ConfigStore>,
}

impl DefaultBase {
    pub fn new(env: Option<Url>, config: ConfigStore) -> Self {
        DefaultBase {
            env,
            config: Some(config),
        }
    }

    /// Only `env` (or nothing): for tests and tools without a config.
    pub fn fixed(env: Option<Url>) -> Self {
        DefaultBase { env, config: None }
    }

    /// The base in force when it is not Webex's own. A config that cannot be read counts as
    /// none here: every operation reads the config first and reports it.
    pub fn get(&self) -> Option<Url> {
        self.env.clone().or_else(|| {
            let config = self.config.as_ref()?.current().ok()?;
            config.settings.api_base.clone()
        })
    }

    /// True when `WEBEX_API_BASE` decides, whatever the config says.
    pub fn from_environment(&self) -> bool {
        self.env.is_some()
    }

    /// The API base `credential` talks to.
    pub fn of(&self, credential: &Credential) -> Url {
        credential.api_base(self.get().as_ref())
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::config::ConfigError;
    use crate::config::tests::{personal, store};
    use crate::model::default_api_base;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn the_default_base_is_the_environment_then_the_config_then_webexs() {
        let (_dir, store) = store();
        let credential = personal("Acme");
        let configured = DefaultBase::new(None, store.clone());
        assert_eq!(configured.of(&credential), default_api_base());
        store
            .update(|c| {
                c.settings.api_base = Some(url("https://eu.example.com/v1"));
                Ok::<_, ConfigError>(())
            })
            .unwrap();
        assert_eq!(
            configured.of(&credential).as_str(),
            "https://eu.example.com/v1",
            "a running engine sees the config change"
        );
        let from_env = DefaultBase::new(Some(url("http://127.0.0.1:9/v1")), store);
        assert!(from_env.from_environment());
        assert_eq!(from_env.of(&credential).as_str(), "http://127.0.0.1:9/v1");
        let own = Credential {
            api_base: Some(url("https://us.example.com/v1")),
            ..credential
        };
        assert_eq!(from_env.of(&own).as_str(), "https://us.example.com/v1");
    }

    #[test]
    fn a_default_base_in_clear_text_is_refused_with_the_file_and_never_used() {
        let (_dir, store) = store();
        fs::create_dir_all(store.path().parent().unwrap()).unwrap();
        let text = "version = 1\n[settings]\napi_base = \"http://webex.example.com/v1\"\n";
        fs::write(store.path(), text).unwrap();
        let error = store.load().unwrap_err().to_string();
        assert!(
            error.contains(&store.path().display().to_string()),
            "{error}"
        );
        assert!(error.contains("api_base"), "{error}");
        assert!(error.contains("clear text"), "{error}");
        let base = DefaultBase::new(None, store.clone());
        assert_eq!(base.of(&personal("Acme")), default_api_base());
        assert_eq!(fs::read_to_string(store.path()).unwrap(), text);
    }
}
