//! YAML into the common [`Node`] tree, through yaml-rust2's event parser rather than its
//! loader: the loader copies a node for every alias (a few kilobytes of `*a` references become
//! gigabytes) and recurses without bound. Config files never need aliases, so they are refused.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::ImportError;
use super::node::Node;
use crate::secret::Secret;

/// Deeper than any settings file; bounds the tree so dropping it cannot overflow the stack.
const MAX_DEPTH: usize = 64;

/// The first document's root, or `None` when the text holds no document (only comments).
pub(super) struct Document {
    pub root: Option<Node>,
    /// 1-based line and column where the root value starts.
    pub start: (usize, usize),
}

pub(super) fn parse(text: &str, source: &str) -> Result<Document, ImportError> {
    let mut builder = Builder::default();
    let loaded = Parser::new_from_str(text).load(&mut builder, false);
    let failure = match loaded {
        Err(error) => Some((position(error.marker()), describe(error.info()))),
        Ok(()) => builder.failure.take(),
    };
    if let Some(((line, column), what)) = failure {
        return Err(ImportError::NotParseable {
            file: source.to_owned(),
            line,
            column,
            what: format!("not valid YAML: {what}"),
        });
    }
    Ok(Document {
        root: builder.root,
        start: builder.start.unwrap_or((1, 1)),
    })
}

fn position(marker: &Marker) -> (usize, usize) {
    // yaml-rust2's line is 1-based and its column 0-based.
    (marker.line(), marker.col() + 1)
}

/// yaml-rust2's scanner messages are fixed texts except "unexpected character: `c'", which
/// quotes the input: keep its gist only.
fn describe(info: &str) -> String {
    if info.contains('`') || info.contains('\'') || info.contains('"') {
        "unexpected character".to_owned()
    } else {
        info.to_owned()
    }
}

enum Frame {
    List(Vec<Node>),
    /// Fields so far, and the key waiting for its value.
    Map(Vec<(String, Node)>, Option<String>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    start: Option<(usize, usize)>,
    failure: Option<((usize, usize), String)>,
}

impl Builder {
    fn fail(&mut self, mark: Marker, what: &str) {
        if self.failure.is_none() {
            self.failure = Some((position(&mark), what.to_owned()));
        }
    }

    fn open(&mut self, frame: Frame, mark: Marker) {
        if self.stack.len() >= MAX_DEPTH {
            self.fail(mark, "nested more than 64 levels deep");
        }
        self.start.get_or_insert(position(&mark));
        self.stack.push(frame);
    }

    fn close(&mut self, mark: Marker) {
        let node = match self.stack.pop() {
            Some(Frame::List(items)) => Node::List(items),
            Some(Frame::Map(fields, _)) => Node::Map(fields),
            None => return,
        };
        self.add(node, mark);
    }

    fn add(&mut self, node: Node, mark: Marker) {
        self.start.get_or_insert(position(&mark));
        match self.stack.last_mut() {
            None => {
                self.root.get_or_insert(node);
            }
            Some(Frame::List(items)) => items.push(node),
            Some(Frame::Map(fields, pending)) => match pending.take() {
                Some(key) => fields.push((key, node)),
                None => match key_text(node) {
                    Some(key) => *pending = Some(key),
                    None => self.fail(mark, "a mapping key that is a list or a mapping"),
                },
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.failure.is_some() {
            return;
        }
        match event {
            Event::Scalar(value, style, _anchor, _tag) => self.add(scalar(value, style), mark),
            Event::SequenceStart(..) => self.open(Frame::List(Vec::new()), mark),
            Event::MappingStart(..) => self.open(Frame::Map(Vec::new(), None), mark),
            Event::SequenceEnd | Event::MappingEnd => self.close(mark),
            Event::Alias(_) => self.fail(mark, "aliases (*name) are not supported here"),
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

/// YAML 1.2 core schema for plain scalars; quoted scalars are always text. The string is moved
/// into a [`Secret`], never copied.
fn scalar(value: String, style: TScalarStyle) -> Node {
    if style != TScalarStyle::Plain {
        return Node::Text(Secret::from(value));
    }
    match value.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Node::Null,
        "true" | "True" | "TRUE" => return Node::Bool(true),
        "false" | "False" | "FALSE" => return Node::Bool(false),
        _ => {}
    }
    if let Ok(integer) = value.parse::<i64>() {
        return Node::Integer(integer);
    }
    // Rust also parses "inf" and "NaN", which YAML would not call numbers.
    let numeric = value
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if numeric && let Ok(float) = value.parse::<f64>() {
        return Node::Float(float);
    }
    Node::Text(Secret::from(value))
}

fn key_text(node: Node) -> Option<String> {
    match node {
        Node::Text(text) => Some(text.expose().to_owned()),
        Node::Integer(n) => Some(n.to_string()),
        Node::Float(n) => Some(n.to_string()),
        Node::Bool(b) => Some(b.to_string()),
        Node::Null => Some("null".to_owned()),
        Node::List(_) | Node::Map(_) | Node::Invalid(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse(text, "f.yaml").unwrap().root.unwrap()
    }

    #[test]
    fn plain_scalars_get_their_types_and_quoted_ones_stay_text() {
        let Node::Map(fields) =
            root("port: 6855\nquoted: \"6855\"\nscopes: spark:kms a:b\nempty:\n")
        else {
            panic!()
        };
        assert!(matches!(fields[0].1, Node::Integer(6855)));
        assert!(matches!(fields[1].1, Node::Text(_)));
        let Node::Text(scopes) = &fields[2].1 else {
            panic!()
        };
        assert_eq!(scopes.expose(), "spark:kms a:b");
        assert!(matches!(fields[3].1, Node::Null));
    }

    #[test]
    fn aliases_are_refused_so_a_small_file_cannot_explode() {
        let text = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";
        let error = parse(text, "bomb.yaml").err().unwrap();
        assert!(
            error
                .to_string()
                .contains("aliases (*name) are not supported"),
            "{error}"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}x{}", "[".repeat(200), "]".repeat(200));
        let error = parse(&text, "deep.yaml").err().unwrap();
        assert!(error.to_string().contains("nested more than 64"), "{error}");
    }

    #[test]
    fn syntax_errors_name_the_position_without_quoting_input() {
        let error = parse("a: b\n  c: @secretvalue\n", "bad.yaml")
            .err()
            .unwrap();
        let message = error.to_string();
        assert!(message.starts_with("bad.yaml: line 2"), "{message}");
        assert!(!message.contains("secretvalue"), "{message}");
    }

    #[test]
    fn comments_only_is_no_document() {
        assert!(parse("# nothing\n", "f.yaml").unwrap().root.is_none());
    }
}
