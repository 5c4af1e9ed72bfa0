//! YAML into the common [`Node`] tree, pulling yaml-rust2's parser one event at a time.
//!
//! Neither yaml-rust2's loader nor its `Parser::load` is used: the loader copies a node for every
//! alias (a few kilobytes of `*a` references become gigabytes), and both recurse once per level
//! of nesting, so an 8 KB file of `- - - …` overflows the stack before any receiver can object.
//! Pulling events keeps the stack flat, and the first event past [`MAX_DEPTH`] ends the parse.
//! Config files never need aliases, so they are refused.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::ImportError;
use super::node::{MAX_DEPTH, Node, too_deep};
use crate::secret::Secret;

/// The first document's root, or `None` when the text holds no document (only comments).
pub(super) struct Document {
    pub root: Option<Node>,
    /// 1-based line and column where the root value starts.
    pub start: (usize, usize),
}

pub(super) fn parse(text: &str, source: &str) -> Result<Document, ImportError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::default();
    // Only the first document is read, as the tools that wrote these files read them.
    while builder.failure.is_none() && !builder.document_ended {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break,
            Ok((event, mark)) => builder.on_event(event, mark),
            Err(error) => {
                let what = Failure::Syntax(describe(error.info()));
                builder.failure = Some((position(error.marker()), what));
            }
        }
    }
    match builder.failure {
        Some(((line, column), Failure::TooDeep)) => Err(too_deep(source, line, column)),
        Some(((line, column), Failure::Syntax(what))) => Err(ImportError::NotParseable {
            file: source.to_owned(),
            line,
            column,
            what: format!("not valid YAML: {what}"),
        }),
        None => Ok(Document {
            root: builder.root,
            start: builder.start.unwrap_or((1, 1)),
        }),
    }
}

enum Failure {
    TooDeep,
    Syntax(String),
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
    document_ended: bool,
    failure: Option<((usize, usize), Failure)>,
}

impl Builder {
    fn fail(&mut self, mark: Marker, what: &str) {
        if self.failure.is_none() {
            self.failure = Some((position(&mark), Failure::Syntax(what.to_owned())));
        }
    }

    fn open(&mut self, frame: Frame, mark: Marker) {
        if self.stack.len() >= MAX_DEPTH {
            self.failure
                .get_or_insert((position(&mark), Failure::TooDeep));
            return;
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

    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, style, _anchor, _tag) => self.add(scalar(value, style), mark),
            Event::SequenceStart(..) => self.open(Frame::List(Vec::new()), mark),
            Event::MappingStart(..) => self.open(Frame::Map(Vec::new(), None), mark),
            Event::SequenceEnd | Event::MappingEnd => self.close(mark),
            Event::Alias(_) => self.fail(mark, "aliases (*name) are not supported here"),
            Event::DocumentEnd => self.document_ended = true,
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart => {}
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

    fn assert_too_deep(text: &str) {
        let error = parse(text, "deep.yaml").err().unwrap();
        let message = error.to_string();
        assert!(
            message.starts_with("deep.yaml: line ")
                && message.contains("nested more than 64 levels deep"),
            "{message}"
        );
    }

    #[test]
    fn deep_flow_nesting_is_refused() {
        assert_too_deep(&format!("{}x{}", "[".repeat(200), "]".repeat(200)));
    }

    /// The reproductions: yaml-rust2's own loader overflowed the stack on both.
    #[test]
    fn deep_block_nesting_is_refused_without_recursing() {
        assert_too_deep(&format!("{}x\n", "- ".repeat(100_000)));
        let mapping: String = (0..20_000)
            .map(|level| format!("{}k{level}:\n", "  ".repeat(level)))
            .collect();
        assert_too_deep(&mapping);
    }

    #[test]
    fn nesting_up_to_the_limit_is_read() {
        let text = format!("{}x\n", "- ".repeat(MAX_DEPTH));
        let mut node = root(&text);
        for _ in 0..MAX_DEPTH {
            let Node::List(mut items) = node else {
                panic!("{node:?}")
            };
            node = items.remove(0);
        }
        assert!(matches!(node, Node::Text(_)), "{node:?}");
    }

    #[test]
    fn only_the_first_document_is_read() {
        let document = parse("a: 1\n---\nb: [unclosed\n", "two.yaml").unwrap();
        let Some(Node::Map(fields)) = document.root else {
            panic!()
        };
        assert_eq!(fields.len(), 1);
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
