//! What a person wrote in the config file by hand. Comments, blank lines, order and the
//! formatting of unchanged values survive every rewrite; a key this version does not know is
//! refused when the file is read (naming it and its line), so nothing a person wrote is ever
//! dropped without a word.

use toml_edit::{ArrayOfTables, Document, DocumentMut, Item, Table, TableLike, Value};

/// A key in the file that the config this version reads has no place for.
#[derive(Debug, PartialEq)]
pub(super) struct UnknownKey {
    /// Where it is, e.g. `settings.shedule` or `credential[int-4f9k2m7q].lable`.
    pub key: String,
    /// Byte offset of the key in the file, when known.
    pub offset: Option<usize>,
}

/// The first key of `text` that `known` (the config read from it, serialized again) does not
/// account for. Empty tables and arrays are not reported: they hold nothing to lose.
pub(super) fn unknown_key(text: &str, known: &toml::Table) -> Option<UnknownKey> {
    let document = Document::parse(text).ok()?;
    find_unknown(document.as_table(), known, "")
}

fn find_unknown(table: &dyn TableLike, known: &toml::Table, path: &str) -> Option<UnknownKey> {
    for (key, item) in table.iter() {
        let here = if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        };
        match known.get(key) {
            None if is_blank(item) => {}
            None => {
                let offset = table
                    .key(key)
                    .and_then(|k| k.span())
                    .or_else(|| item.span())
                    .map(|span| span.start);
                return Some(UnknownKey { key: here, offset });
            }
            Some(toml::Value::Table(inner)) => {
                if let Some(found) = item
                    .as_table_like()
                    .and_then(|t| find_unknown(t, inner, &here))
                {
                    return Some(found);
                }
            }
            Some(toml::Value::Array(values)) => {
                for (index, element) in tables_of(item).into_iter().enumerate() {
                    let Some(toml::Value::Table(inner)) = values.get(index) else {
                        continue;
                    };
                    let label = match inner.get("id").and_then(toml::Value::as_str) {
                        Some(id) => format!("{here}[{id}]"),
                        None => format!("{here}[#{}]", index + 1),
                    };
                    if let Some(found) = find_unknown(element, inner, &label) {
                        return Some(found);
                    }
                }
            }
            Some(_) => {}
        }
    }
    None
}

/// The tables of an array of tables, written `[[name]]` or `name = [{ … }]`.
fn tables_of(item: &Item) -> Vec<&dyn TableLike> {
    match item {
        Item::ArrayOfTables(tables) => tables.iter().map(|t| t as &dyn TableLike).collect(),
        Item::Value(Value::Array(values)) => values
            .iter()
            .filter_map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_blank(item: &Item) -> bool {
    match item {
        Item::Value(Value::Array(values)) => values.is_empty(),
        Item::ArrayOfTables(tables) => tables.is_empty(),
        _ => item
            .as_table_like()
            .is_some_and(|t| t.iter().all(|(_, inner)| is_blank(inner))),
    }
}

/// `fresh` (the config as this version writes it) laid out as `original`, the file a person may
/// have edited: unchanged values keep their formatting and comments, changed ones are updated
/// in place, new entries are added after the existing ones, removed ones go (with the comments
/// attached to them).
pub(super) fn rewrite(original: &str, fresh: &str) -> Result<String, toml_edit::TomlError> {
    let mut document: DocumentMut = original.parse()?;
    let fresh: DocumentMut = fresh.parse()?;
    merge_table(document.as_table_mut(), fresh.as_table());
    Ok(document.to_string())
}

fn merge_table(old: &mut Table, new: &Table) {
    let gone: Vec<String> = old
        .iter()
        .filter(|(key, item)| !new.contains_key(key) && !is_blank(item))
        .map(|(key, _)| key.to_owned())
        .collect();
    for key in gone {
        old.remove(&key);
    }
    for (key, item) in new.iter() {
        match old.get_mut(key) {
            Some(existing) => merge_item(existing, item),
            None => {
                old.insert(key, unpositioned(item.clone()));
            }
        }
    }
}

fn merge_item(old: &mut Item, new: &Item) {
    match (old, new) {
        (Item::Table(old), Item::Table(new)) => merge_table(old, new),
        (Item::ArrayOfTables(old), Item::ArrayOfTables(new)) => merge_entries(old, new),
        (Item::Value(old), Item::Value(new)) => merge_value(old, new),
        (old, new) => *old = unpositioned(new.clone()),
    }
}

/// Entries (the credentials) are matched by their `id`: an entry keeps its comments and
/// layout wherever its settings change.
fn merge_entries(old: &mut ArrayOfTables, new: &ArrayOfTables) {
    let id = |table: &Table| table.get("id").and_then(Item::as_str).map(str::to_owned);
    let mut merged = ArrayOfTables::new();
    for entry in new.iter() {
        let previous = id(entry).and_then(|wanted| {
            old.iter()
                .find(|candidate| id(candidate).as_deref() == Some(wanted.as_str()))
                .cloned()
        });
        match previous {
            Some(mut kept) => {
                merge_table(&mut kept, entry);
                merged.push(kept);
            }
            None => {
                let mut added = entry.clone();
                unposition_table(&mut added);
                merged.push(added);
            }
        }
    }
    *old = merged;
}

fn merge_value(old: &mut Value, new: &Value) {
    if same_value(old, new) {
        return;
    }
    let decor = old.decor().clone();
    *old = new.clone();
    *old.decor_mut() = decor;
}

/// Equal as data, however each is written (`0.2` and `2e-1`, a one-line or a multi-line
/// array, comments inside arrays).
fn same_value(a: &Value, b: &Value) -> bool {
    let data = |value: &Value| {
        let mut bare = value.clone();
        bare.decor_mut().clear();
        toml::from_str::<toml::Table>(&format!("v = {bare}"))
            .ok()
            .and_then(|mut table| table.remove("v"))
    };
    data(a).is_some_and(|a| Some(a) == data(b))
}

/// Tables taken from the freshly written text carry that text's positions; without them they
/// are placed after what precedes them in the edited file.
fn unpositioned(mut item: Item) -> Item {
    match &mut item {
        Item::Table(table) => unposition_table(table),
        Item::ArrayOfTables(tables) => tables.iter_mut().for_each(unposition_table),
        _ => {}
    }
    item
}

fn unposition_table(table: &mut Table) {
    table.set_position(None);
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(inner) => unposition_table(inner),
            Item::ArrayOfTables(tables) => tables.iter_mut().for_each(unposition_table),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn unknown_keys_are_named_with_their_place_and_offset() {
        let text = "version = 1\n[settings]\nshedule = 3\n";
        let found = unknown_key(text, &known("version = 1\n[settings]\n")).unwrap();
        assert_eq!(found.key, "settings.shedule");
        assert_eq!(found.offset, Some(text.find("shedule").unwrap()));

        let text = "version = 1\n[[credential]]\nid = \"pat-1\"\nlable = \"x\"\n";
        let found = unknown_key(
            text,
            &known("version = 1\n[[credential]]\nid = \"pat-1\"\n"),
        );
        assert_eq!(found.unwrap().key, "credential[pat-1].lable");

        // An empty table holds nothing to lose.
        let text = "version = 1\n[settings.schedule]\n";
        assert_eq!(unknown_key(text, &known("version = 1\n")), None);
    }

    #[test]
    fn comments_and_layout_survive_a_change_and_removed_entries_go() {
        let original = "# my notes about this machine\nversion = 1\n\n[settings]\n\
                        http_timeout_secs = 30 # slow proxy\n\n\
                        # the customer we bill\n[[credential]]\nid = \"pat-1\"\nname = \"Acme\"\n\n\
                        [[credential]]\nid = \"pat-2\"\nname = \"Gone\"\n";
        let fresh = "version = 1\n\n[settings]\nhttp_timeout_secs = 45\n\n\
                     [[credential]]\nid = \"pat-1\"\nname = \"Acme\"\nlabel = \"billing\"\n\n\
                     [[credential]]\nid = \"pat-3\"\nname = \"New\"\n";
        let written = rewrite(original, fresh).unwrap();
        assert!(
            written.starts_with("# my notes about this machine\n"),
            "{written}"
        );
        assert!(
            written.contains("http_timeout_secs = 45 # slow proxy"),
            "{written}"
        );
        assert!(
            written.contains("# the customer we bill\n[[credential]]\nid = \"pat-1\""),
            "{written}"
        );
        assert!(!written.contains("Gone"), "{written}");
        assert_eq!(known(&written), known(fresh), "{written}");
    }
}
