//! JSON as the old tools' users edit it by hand: trailing commas are read (with a warning) rather
//! than refused. Everything else must be strict JSON.
//!
//! Syntax errors are reported by line, column and serde_json's description of what it expected;
//! those descriptions are fixed texts that never quote the input.
//!
//! Nesting is measured in the same flat pass that finds trailing commas, before serde_json runs,
//! so input nested past [`MAX_DEPTH`] is refused without any recursion at all.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use zeroize::Zeroizing;

use super::ImportError;
use super::node::{MAX_DEPTH, Node, too_deep};
use crate::secret::Secret;

/// At most this many trailing commas are listed one by one; the rest are counted.
const LISTED_TRAILING_COMMAS: usize = 3;

pub(super) fn parse(
    text: &str,
    source: &str,
    warnings: &mut Vec<String>,
) -> Result<Node, ImportError> {
    let commas =
        scan(text.as_bytes()).map_err(|opening| too_deep(source, opening.line, opening.column))?;
    let result = if commas.is_empty() {
        serde_json::from_str::<Node>(text)
    } else {
        warn_about(&commas, warnings);
        // Blank the commas out rather than delete them, so serde_json's line and column still
        // point into the file the user has open.
        let mut patched = Zeroizing::new(text.as_bytes().to_vec());
        for comma in &commas {
            patched[comma.offset] = b' ';
        }
        serde_json::from_slice::<Node>(&patched)
    };
    result.map_err(|error| not_parseable(&error, source))
}

#[derive(Debug, PartialEq)]
struct TrailingComma {
    offset: usize,
    line: usize,
    column: usize,
}

/// Where an opening bracket went past [`MAX_DEPTH`].
#[derive(Debug, PartialEq)]
struct TooDeep {
    line: usize,
    column: usize,
}

/// Commas followed only by whitespace before `}` or `]`, outside strings; or the first bracket
/// that opens a level past [`MAX_DEPTH`]. One pass: each whitespace run is looked ahead over at
/// most once, by the comma just before it.
fn scan(bytes: &[u8]) -> Result<Vec<TrailingComma>, TooDeep> {
    let mut found = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let (mut line, mut column) = (1usize, 1usize);
    let mut depth = 0usize;
    for (offset, &byte) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if byte == b'"' {
            in_string = true;
        } else if matches!(byte, b'{' | b'[') {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(TooDeep { line, column });
            }
        } else if matches!(byte, b'}' | b']') {
            // Unbalanced closers are serde_json's to report, with their position.
            depth = depth.saturating_sub(1);
        } else if byte == b',' {
            let next = bytes[offset + 1..]
                .iter()
                .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
            if matches!(next, Some(b'}' | b']')) {
                found.push(TrailingComma {
                    offset,
                    line,
                    column,
                });
            }
        }
        if byte == b'\n' {
            line += 1;
            column = 1;
        } else if byte & 0b1100_0000 != 0b1000_0000 {
            // Count characters, not UTF-8 continuation bytes.
            column += 1;
        }
    }
    Ok(found)
}

fn warn_about(commas: &[TrailingComma], warnings: &mut Vec<String>) {
    for comma in commas.iter().take(LISTED_TRAILING_COMMAS) {
        warnings.push(format!(
            "not strict JSON: trailing comma at line {} column {} ignored",
            comma.line, comma.column
        ));
    }
    if commas.len() > LISTED_TRAILING_COMMAS {
        warnings.push(format!(
            "not strict JSON: {} more trailing commas ignored",
            commas.len() - LISTED_TRAILING_COMMAS
        ));
    }
}

fn not_parseable(error: &serde_json::Error, source: &str) -> ImportError {
    use serde_json::error::Category;
    let what = match error.classify() {
        // These messages are serde_json's fixed descriptions ("expected `,` or `}`", "EOF
        // while parsing a string"); the position is reported separately.
        Category::Syntax | Category::Eof => {
            let message = error.to_string();
            let suffix = format!(" at line {} column {}", error.line(), error.column());
            let description = message.strip_suffix(&suffix).unwrap_or("syntax error");
            format!("not valid JSON: {description}")
        }
        // Data errors can echo input ("invalid type: string \"…\""): never repeat them.
        Category::Data | Category::Io => "not valid JSON".to_owned(),
    };
    ImportError::NotParseable {
        file: source.to_owned(),
        line: error.line(),
        column: error.column(),
        what,
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `parse` refused input nested past MAX_DEPTH before serde_json saw it; serde_json's own
        // limit (128 levels) would also stop the recursion here and in dropping the tree.
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Node, E> {
        Ok(Node::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Node, E> {
        Ok(Node::Integer(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Node, E> {
        Ok(i64::try_from(value).map_or(Node::Float(value as f64), Node::Integer))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Node, E> {
        Ok(Node::Float(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Node, E> {
        Ok(Node::Text(Secret::new(value)))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Node, E> {
        Ok(Node::Text(Secret::from(value)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<Node>()?;
            fields.push((key, value));
        }
        Ok(Node::Map(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> (Node, Vec<String>) {
        let mut warnings = Vec::new();
        let node = parse(text, "f.json", &mut warnings).unwrap();
        (node, warnings)
    }

    #[test]
    fn trailing_commas_are_read_and_reported_by_position() {
        let (node, warnings) = parse_ok("{\n  \"a\": [1, 2,],\n  \"b\": \"x\",\n}");
        let Node::Map(fields) = node else {
            panic!("{node:?}")
        };
        assert_eq!(fields.len(), 2);
        assert_eq!(
            warnings,
            [
                "not strict JSON: trailing comma at line 2 column 13 ignored",
                "not strict JSON: trailing comma at line 3 column 11 ignored"
            ]
        );
    }

    #[test]
    fn commas_inside_strings_are_left_alone() {
        let (node, warnings) = parse_ok(r#"{"a": "x,}", "b": "q\",]"}"#);
        assert!(warnings.is_empty(), "{warnings:?}");
        let Node::Map(fields) = node else {
            panic!("{node:?}")
        };
        let Node::Text(a) = &fields[0].1 else {
            panic!()
        };
        assert_eq!(a.expose(), "x,}");
    }

    #[test]
    fn many_trailing_commas_are_summarised() {
        let text = format!("[{}]", "[1,],".repeat(10));
        let (_, warnings) = parse_ok(&text);
        assert_eq!(warnings.len(), LISTED_TRAILING_COMMAS + 1);
        assert_eq!(
            warnings.last().unwrap(),
            "not strict JSON: 8 more trailing commas ignored"
        );
    }

    #[test]
    fn syntax_errors_name_line_column_and_what_was_expected_without_quoting() {
        let error = parse(
            "{\n  \"client_secret\": \"hunter2-secret\" \"x\"\n}",
            "f.json",
            &mut Vec::new(),
        )
        .err()
        .unwrap();
        let message = error.to_string();
        assert!(
            message.starts_with("f.json: line 2, column 37: not valid JSON: expected `,` or `}`"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
        assert!(!format!("{error:?}").contains("hunter2"));
    }

    #[test]
    fn unterminated_string_is_an_eof_error() {
        let error = parse("{\"a\": \"abc", "f.json", &mut Vec::new())
            .err()
            .unwrap();
        assert!(
            error
                .to_string()
                .contains("not valid JSON: EOF while parsing a string"),
            "{error}"
        );
    }

    #[test]
    fn deep_nesting_is_refused_at_the_opening_that_goes_too_deep() {
        let text = format!("{{\"a\":\n {}", "[".repeat(100_000));
        let error = parse(&text, "deep.json", &mut Vec::new()).err().unwrap();
        assert_eq!(
            error.to_string(),
            format!(
                "deep.json: line 2, column {}: nested more than 64 levels deep; token files \
                 are a few levels deep, so this is not one",
                2 + MAX_DEPTH - 1
            )
        );
    }

    #[test]
    fn brackets_inside_strings_do_not_count_and_the_limit_itself_is_read() {
        let inside = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        let text = format!("{{\"deep\": {inside}, \"text\": \"{}\"}}", "[".repeat(500));
        let (node, _) = parse_ok(&text);
        assert!(matches!(node, Node::Map(_)), "{node:?}");
    }

    #[test]
    fn object_order_and_repeated_keys_are_kept() {
        let (node, _) = parse_ok(r#"{"z": 1, "a": 2, "z": 3}"#);
        let Node::Map(fields) = node else {
            panic!("{node:?}")
        };
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "z"]);
    }
}
