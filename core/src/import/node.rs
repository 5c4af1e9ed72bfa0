//! One tree for JSON, YAML and KEY=VALUE content, so every format reads its fields the same way
//! whatever syntax the file used.

use super::ImportError;
use crate::secret::Secret;

/// Deeper than any token or settings file (they nest three or four levels). Every parser
/// refuses input nested past it before building anything, so neither parsing nor dropping the
/// tree recurses more than this, whatever the file holds.
pub(super) const MAX_DEPTH: usize = 64;

/// The per-file error for input nested past [`MAX_DEPTH`], at the opening that went too deep.
pub(super) fn too_deep(source: &str, line: usize, column: usize) -> ImportError {
    ImportError::NotParseable {
        file: source.to_owned(),
        line,
        column,
        what: format!(
            "nested more than {MAX_DEPTH} levels deep; token files are a few levels deep, \
             so this is not one"
        ),
    }
}

/// A parsed value. Text is held as a [`Secret`] from the start because the parser cannot know
/// which strings are secrets; readers expose the ones that are not (ids, names, scopes).
/// Objects keep file order and repeated keys, so readers can apply "last one wins" knowingly.
#[derive(Debug)]
pub(super) enum Node {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(Secret),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
    /// A value present in the file but unreadable, with the reason phrased to follow the field
    /// name: `has an opening double quote and no closing one` (`.env` quoting mistakes).
    Invalid(&'static str),
}

impl Node {
    /// The type as a person would name it, for "field X is a number, expected text".
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Integer(_) | Node::Float(_) => "a number",
            Node::Text(_) => "text",
            Node::List(_) => "a list",
            Node::Map(_) => "an object",
            Node::Invalid(_) => "unreadable",
        }
    }
}

/// The value of `name` in an object's fields; the last one when the file repeats the key, as
/// the tools that wrote these files (Python's json, JavaScript's JSON.parse) read them.
pub(super) fn lookup<'a>(fields: &'a [(String, Node)], name: &str) -> Option<&'a Node> {
    fields
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// An entry key or name as it appears in messages: quoted, escaped, and cut short so a damaged
/// file cannot flood the report.
pub(super) fn quoted(name: &str) -> String {
    const MAX_CHARS: usize = 60;
    let mut short: String = name.chars().take(MAX_CHARS).collect();
    if name.chars().nth(MAX_CHARS).is_some() {
        short.push('…');
    }
    format!("{short:?}")
}

/// A client id as it appears in derived names: `C2222222…`.
pub(super) fn short_id(id: &str) -> String {
    const SHOWN_CHARS: usize = 8;
    let mut short: String = id.chars().take(SHOWN_CHARS).collect();
    if id.chars().nth(SHOWN_CHARS).is_some() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_takes_the_last_repeated_key() {
        let fields = vec![
            ("a".to_owned(), Node::Integer(1)),
            ("a".to_owned(), Node::Integer(2)),
        ];
        assert!(matches!(lookup(&fields, "a"), Some(Node::Integer(2))));
        assert!(lookup(&fields, "b").is_none());
    }

    #[test]
    fn names_in_messages_are_escaped_and_bounded() {
        assert_eq!(quoted("Acme Corp"), "\"Acme Corp\"");
        assert_eq!(quoted("a\nb"), "\"a\\nb\"");
        let long = "x".repeat(500);
        assert!(quoted(&long).chars().count() < 70);
        assert_eq!(short_id("C2222222222"), "C2222222…");
        assert_eq!(short_id("C22"), "C22");
    }
}
