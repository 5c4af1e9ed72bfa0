//! Finding a credential in the config from what a person typed: an id, a name, or a name
//! written with other case or spaces.

use super::Config;
use crate::model::{Credential, CredentialId, normalized_name};

/// Looking a credential up by what a person typed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ResolveError {
    #[error("no credential is named or has the id \"{query}\"{}", did_you_mean(.suggestions))]
    NotFound {
        query: String,
        suggestions: Vec<String>,
    },
    #[error(
        "\"{query}\" names {} credentials; use an id instead:\n{}",
        .candidates.len(),
        .candidates.iter().map(|c| format!("  {c}")).collect::<Vec<_>>().join("\n")
    )]
    Ambiguous {
        query: String,
        candidates: Vec<String>,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

impl Config {
    pub fn get(&self, id: &CredentialId) -> Option<&Credential> {
        self.credentials.iter().find(|c| &c.id == id)
    }

    /// Finds a credential by id, else by exact name, else by name ignoring case and
    /// surrounding spaces. Several matches at the first level that matches are an error listing
    /// them; a script never silently gets another credential's token.
    pub fn resolve(&self, query: &str) -> Result<&Credential, ResolveError> {
        if let Some(found) = self.credentials.iter().find(|c| c.id.as_str() == query) {
            return Ok(found);
        }
        let exact: Vec<&Credential> = self
            .credentials
            .iter()
            .filter(|c| c.name == query)
            .collect();
        let matches = if exact.is_empty() {
            let wanted = normalized_name(query);
            self.credentials
                .iter()
                .filter(|c| normalized_name(&c.name) == wanted)
                .collect()
        } else {
            exact
        };
        match matches.as_slice() {
            [one] => Ok(one),
            [] => {
                let wanted = normalized_name(query);
                let suggestions = self
                    .credentials
                    .iter()
                    .filter(|c| !wanted.is_empty() && normalized_name(&c.name).contains(&wanted))
                    .map(|c| format!("\"{}\"", c.name))
                    .take(5)
                    .collect();
                Err(ResolveError::NotFound {
                    query: query.to_owned(),
                    suggestions,
                })
            }
            many => Err(ResolveError::Ambiguous {
                query: query.to_owned(),
                candidates: many.iter().map(|c| describe(c)).collect(),
            }),
        }
    }

    pub fn with_name<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Credential> {
        let wanted = normalized_name(name);
        self.credentials
            .iter()
            .filter(move |c| normalized_name(&c.name) == wanted)
    }

    pub fn with_client_id<'a>(
        &'a self,
        client_id: &'a str,
    ) -> impl Iterator<Item = &'a Credential> {
        self.credentials
            .iter()
            .filter(move |c| c.client_id() == Some(client_id))
    }
}

/// One line naming a credential unambiguously, for candidate lists.
pub fn describe(c: &Credential) -> String {
    match &c.label {
        Some(label) => format!("{} ({}, {}, {label})", c.id, c.name, c.kind()),
        None => format!("{} ({}, {})", c.id, c.name, c.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::personal;

    #[test]
    fn resolve_by_id_exact_name_then_case_insensitive_name() {
        let mut config = Config::default();
        let acme = personal("Acme Corp");
        let acme_lower = personal("acme corp");
        let globex = personal("Globex Partner Org");
        config.credentials = vec![acme.clone(), acme_lower.clone(), globex.clone()];
        assert_eq!(config.resolve(acme.id.as_str()).unwrap(), &acme);
        assert_eq!(config.resolve("Acme Corp").unwrap(), &acme);
        assert_eq!(config.resolve("GLOBEX partner org ").unwrap(), &globex);
        match config.resolve("ACME CORP").unwrap_err() {
            ResolveError::Ambiguous { candidates, .. } => {
                assert_eq!(candidates.len(), 2);
                assert!(candidates[0].contains(acme.id.as_str()));
                assert!(candidates[1].contains(acme_lower.id.as_str()));
            }
            other => panic!("expected ambiguity, got {other:?}"),
        }
        let err = config.resolve("globex").unwrap_err().to_string();
        assert!(err.contains("did you mean \"Globex Partner Org\""), "{err}");
    }
}
