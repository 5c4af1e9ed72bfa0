//! Reading one entry's fields with the same rules and the same messages in every format.
//!
//! Each reader returns `Err(problem)` naming the field, e.g. `field client_secret is missing`;
//! the format modules collect every problem of an entry into one [`Skip`] so the user can fix
//! them all at once.

use super::node::{Node, lookup, quoted};
use super::{MAX_SECRET_BYTES, Skip};
use crate::model::IntegrationSettings;
use crate::secret::Secret;

/// A problem with one field, already phrased for the user: `field scopes is a number, expected text`.
pub(super) type Problem = String;

pub(super) struct EntryFields<'a> {
    entry: &'a str,
    fields: &'a [(String, Node)],
}

impl<'a> EntryFields<'a> {
    pub(super) fn new(entry: &'a str, fields: &'a [(String, Node)]) -> Self {
        EntryFields { entry, fields }
    }

    /// The first of `names` present in the entry, with the name as the file spells it.
    pub(super) fn find(&self, names: &[&'static str]) -> Option<(&'static str, &'a Node)> {
        names
            .iter()
            .find_map(|name| lookup(self.fields, name).map(|node| (*name, node)))
    }

    /// One skip naming the entry and every problem found in it.
    pub(super) fn skip(&self, problems: impl IntoIterator<Item = Option<Problem>>) -> Skip {
        skip(self.entry, problems)
    }

    /// An id or other required non-secret text (client ids, org ids): trimmed, non-empty.
    pub(super) fn required_text(&self, names: &[&'static str]) -> Result<String, Problem> {
        self.required_secret(names)
            .map(|value| value.expose().to_owned())
    }

    /// A required secret: trimmed, non-empty.
    pub(super) fn required_secret(&self, names: &[&'static str]) -> Result<Secret, Problem> {
        match self.optional_secret(names)? {
            Some(value) => Ok(value),
            None => Err(match self.find(names) {
                Some((name, _)) => format!("field {name} is empty"),
                None => format!("field {} is missing", names.first().unwrap_or(&"?")),
            }),
        }
    }

    /// An optional secret: missing, null, empty and blank all mean "not there".
    pub(super) fn optional_secret(
        &self,
        names: &[&'static str],
    ) -> Result<Option<Secret>, Problem> {
        let Some((name, node)) = self.find(names) else {
            return Ok(None);
        };
        match node {
            Node::Null => Ok(None),
            Node::Text(value) => checked_text(name, value),
            Node::Invalid(problem) => Err(format!("field {name} {problem}")),
            other => Err(wrong_type(name, other, "text")),
        }
    }

    /// Optional non-secret text, for fields that only inform (dates, statuses, app ids).
    pub(super) fn optional_text(&self, names: &[&'static str]) -> Result<Option<String>, Problem> {
        Ok(self
            .optional_secret(names)?
            .map(|value| value.expose().to_owned()))
    }

    /// Scopes as one string split on whitespace or commas, or as a list of strings.
    /// `None` when absent or empty: the caller falls back to the defaults.
    pub(super) fn scopes(&self, names: &[&'static str]) -> Result<Option<Vec<String>>, Problem> {
        let Some((name, node)) = self.find(names) else {
            return Ok(None);
        };
        let mut scopes = Vec::new();
        match node {
            Node::Null => {}
            Node::Text(text) => {
                if let Some(text) = checked_text(name, text)? {
                    scopes.extend(split_scopes(text.expose()));
                }
            }
            Node::List(items) => {
                for item in items {
                    let Node::Text(text) = item else {
                        return Err(format!(
                            "field {name} has an item that is {}, expected text",
                            item.kind()
                        ));
                    };
                    if let Some(text) = checked_text(name, text)? {
                        scopes.extend(split_scopes(text.expose()));
                    }
                }
            }
            other => return Err(wrong_type(name, other, "text or a list")),
        }
        Ok((!scopes.is_empty()).then_some(scopes))
    }
}

/// `entry "Globex": field client_secret is missing; field scopes is a number, expected text`.
pub(super) fn skip(entry: &str, problems: impl IntoIterator<Item = Option<Problem>>) -> Skip {
    let problems: Vec<Problem> = problems.into_iter().flatten().collect();
    Skip {
        reason: format!("entry {}: {}", quoted(entry), problems.join("; ")),
    }
}

pub(super) fn wrong_type(name: &str, found: &Node, expected: &str) -> Problem {
    format!("field {name} is {}, expected {expected}", found.kind())
}

/// Trims; rejects what no Webex id, token or secret can be: longer than [`MAX_SECRET_BYTES`],
/// or holding control characters (a pasted line break would corrupt an HTTP header).
fn checked_text(name: &str, value: &Secret) -> Result<Option<Secret>, Problem> {
    if value.len() > MAX_SECRET_BYTES {
        return Err(format!(
            "field {name} is {} bytes, longer than any Webex id, token or secret \
             (at most {MAX_SECRET_BYTES} bytes)",
            value.len()
        ));
    }
    let trimmed = value.expose().trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(format!("field {name} contains control characters"));
    }
    Ok(Some(Secret::new(trimmed)))
}

pub(super) fn split_scopes(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|scope| !scope.is_empty())
        .map(str::to_owned)
}

/// An integration at the old tools' loopback redirect (port 6855). Expiries stay unknown: the
/// files record when tokens were obtained at most, never when they expire.
pub(super) fn default_port_integration(
    name: String,
    client_id: String,
    scopes: Option<Vec<String>>,
    secrets: crate::model::Secrets,
    obtained_at: Option<chrono::DateTime<chrono::Utc>>,
    notes: Vec<super::Note>,
) -> super::Draft {
    super::Draft {
        name,
        settings: super::DraftSettings::Integration(IntegrationSettings {
            client_id,
            scopes: scopes_or_default(scopes),
            redirect_uri: IntegrationSettings::default_redirect_uri(
                crate::model::DEFAULT_REDIRECT_PORT,
            ),
        }),
        secrets,
        access_expires_at: None,
        refresh_expires_at: None,
        obtained_at,
        notes,
    }
}

/// Scopes from the file, or the defaults the old tools used when the file has none.
pub(super) fn scopes_or_default(scopes: Option<Vec<String>>) -> Vec<String> {
    scopes.unwrap_or_else(IntegrationSettings::default_scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Node {
        Node::Text(Secret::new(value))
    }

    fn fields(pairs: Vec<(&str, Node)>) -> Vec<(String, Node)> {
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    #[test]
    fn required_fields_report_missing_empty_and_wrong_type() {
        let map = fields(vec![
            ("empty", text("   ")),
            ("number", Node::Integer(5)),
            ("ok", text("  abc \n")),
        ]);
        let f = EntryFields::new("E", &map);
        assert_eq!(
            f.required_secret(&["absent"]).unwrap_err(),
            "field absent is missing"
        );
        assert_eq!(
            f.required_secret(&["empty"]).unwrap_err(),
            "field empty is empty"
        );
        assert_eq!(
            f.required_secret(&["number"]).unwrap_err(),
            "field number is a number, expected text"
        );
        assert_eq!(f.required_text(&["ok"]).unwrap(), "abc");
        assert_eq!(f.required_text(&["absent", "ok"]).unwrap(), "abc");
    }

    #[test]
    fn oversized_and_multiline_values_are_problems() {
        let map = fields(vec![
            ("big", text(&"a".repeat(MAX_SECRET_BYTES + 1))),
            ("limit", text(&"a".repeat(MAX_SECRET_BYTES))),
            ("broken", text("abc\ndef")),
        ]);
        let f = EntryFields::new("E", &map);
        let problem = f.optional_secret(&["big"]).unwrap_err();
        assert!(problem.starts_with("field big is 4097 bytes"), "{problem}");
        assert!(f.optional_secret(&["limit"]).unwrap().is_some());
        assert_eq!(
            f.optional_secret(&["broken"]).unwrap_err(),
            "field broken contains control characters"
        );
    }

    #[test]
    fn scopes_split_on_spaces_and_commas_or_come_as_a_list() {
        let map = fields(vec![
            ("a", text("spark:kms, spark:people_read  x")),
            ("b", Node::List(vec![text("spark:kms"), text("y z")])),
            ("c", text("  ")),
            ("d", Node::Integer(1)),
        ]);
        let f = EntryFields::new("E", &map);
        assert_eq!(
            f.scopes(&["a"]).unwrap().unwrap(),
            ["spark:kms", "spark:people_read", "x"]
        );
        assert_eq!(f.scopes(&["b"]).unwrap().unwrap(), ["spark:kms", "y", "z"]);
        assert_eq!(f.scopes(&["c"]).unwrap(), None);
        assert_eq!(
            scopes_or_default(f.scopes(&["c"]).unwrap()),
            IntegrationSettings::default_scopes()
        );
        assert_eq!(
            f.scopes(&["d"]).unwrap_err(),
            "field d is a number, expected text or a list"
        );
    }

    #[test]
    fn a_skip_lists_every_problem_of_the_entry() {
        let skip = skip(
            "Globex",
            [
                Some("field client_secret is missing".to_owned()),
                None,
                Some("field scopes is a number, expected text".to_owned()),
            ],
        );
        assert_eq!(
            skip.reason,
            "entry \"Globex\": field client_secret is missing; field scopes is a number, expected text"
        );
    }
}
