//! The engine's modules form layers: no module imports one that imports it back, at any level
//! (top-level modules of the crate, and sibling modules inside each of them). Read from the
//! source itself, so a newcomer's first cycle fails here with the names that tie it.
//!
//! `cargo test -p webex-token-core --test module_graph -- --nocapture` prints the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A module path below the crate root, e.g. `["refresh", "outcome"]`.
type ModulePath = Vec<String>;

/// One import edge at one level: from sibling `from` to sibling `to` inside `parent`, with the
/// file and the imported path that made it.
#[derive(Debug)]
struct Edge {
    from: String,
    to: String,
    file: PathBuf,
    import: String,
}

#[test]
fn no_module_of_the_engine_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<ModulePath, Vec<Edge>> = BTreeMap::new();
    let reexports = root_reexports(&src);
    let files = rust_files(&src);
    let modules: BTreeSet<ModulePath> = files.iter().map(|f| module_path(&src, f)).collect();
    for file in files {
        let module = module_path(&src, &file);
        let text = fs::read_to_string(&file).expect("a source file of the crate is readable");
        for import in crate_imports(&without_test_module(&text), &module) {
            // `crate::Engine` is `crate::engine::Engine`: the root's re-exports hide no edge.
            let import = match import.as_slice() {
                [name, ..] if reexports.contains_key(name) => {
                    let mut real = reexports[name].clone();
                    real.extend(import[1..].iter().cloned());
                    real
                }
                _ => import,
            };
            if let Some((parent, from, to)) = sibling_edge(&module, &import)
                && is_module(&modules, &parent, &to)
            {
                edges.entry(parent).or_default().push(Edge {
                    from,
                    to,
                    file: file.strip_prefix(&src).unwrap_or(&file).to_path_buf(),
                    import: import.join("::"),
                });
            }
        }
    }
    let mut cycles = Vec::new();
    for (parent, level) in &edges {
        let graph: BTreeMap<&str, BTreeSet<&str>> =
            level.iter().fold(BTreeMap::new(), |mut graph, edge| {
                graph.entry(&edge.from).or_default().insert(&edge.to);
                graph
            });
        let scope = if parent.is_empty() {
            "crate".to_owned()
        } else {
            parent.join("::")
        };
        println!("{scope}:");
        for (from, tos) in &graph {
            println!(
                "  {from} -> {}",
                tos.iter().copied().collect::<Vec<_>>().join(", ")
            );
        }
        if let Some(cycle) = find_cycle(&graph) {
            let ties: Vec<String> = cycle
                .windows(2)
                .map(|pair| {
                    let why: Vec<String> = level
                        .iter()
                        .filter(|e| e.from == pair[0] && e.to == pair[1])
                        .map(|e| format!("{} uses crate::{}", e.file.display(), e.import))
                        .collect();
                    format!("{} -> {} ({})", pair[0], pair[1], why.join("; "))
                })
                .collect();
            cycles.push(format!("in {scope}: {}", ties.join(", then ")));
        }
    }
    assert!(
        cycles.is_empty(),
        "import cycles between modules of the engine:\n{}",
        cycles.join("\n")
    );
}

/// `pub use engine::{Engine, EngineError};` in lib.rs: each name and the module it comes from.
fn root_reexports(src: &Path) -> BTreeMap<String, ModulePath> {
    let text = fs::read_to_string(src.join("lib.rs")).expect("the crate root is readable");
    let mut names = BTreeMap::new();
    for statement in text.split(';') {
        let Some(path) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        for full in expand(path) {
            if let Some((name, module)) = full.split_last() {
                names.insert(name.clone(), module.to_vec());
            }
        }
    }
    names
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("the crate's src folder is readable")
        .map(|e| e.expect("a folder entry is readable").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// `src/lib.rs` is the root, `src/a/mod.rs` is `a`, `src/a/b.rs` is `a::b`.
fn module_path(src: &Path, file: &Path) -> ModulePath {
    let relative = file.strip_prefix(src).expect("files are found below src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The text before the file's `#[cfg(test)]` module: tests may reach anywhere.
fn without_test_module(text: &str) -> String {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => text[..at].to_owned(),
        None => text.to_owned(),
    }
}

/// Every module path this file names through `crate::` or `super::`, made absolute; groups
/// such as `crate::{a::X, b::{Y, Z}}` give one path per member.
fn crate_imports(text: &str, module: &ModulePath) -> Vec<ModulePath> {
    let code: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut imports = Vec::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent_of(module))] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            for path in expand(rest) {
                let mut absolute = base.clone();
                absolute.extend(path);
                imports.push(absolute);
            }
        }
    }
    imports
}

fn parent_of(module: &ModulePath) -> ModulePath {
    let mut parent = module.clone();
    parent.pop();
    parent
}

/// The paths at the start of `text` (just after `crate::`): `a::b::C` or a `{…}` group.
fn expand(text: &str) -> Vec<ModulePath> {
    let text = text.trim_start();
    if let Some(group) = text.strip_prefix('{') {
        let mut depth = 0;
        let mut members = Vec::new();
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    members.push(&group[start..i]);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    members.push(&group[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return members
            .into_iter()
            .flat_map(|member| expand(member.trim()))
            .collect();
    }
    let mut path = Vec::new();
    let mut rest = text;
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        path.push(rest[..end].to_owned());
        rest = &rest[end..];
        match rest.strip_prefix("::") {
            Some(next) if next.starts_with('{') => {
                return expand(next)
                    .into_iter()
                    .map(|tail| path.iter().cloned().chain(tail).collect())
                    .collect();
            }
            Some(next) => rest = next,
            None => break,
        }
    }
    vec![path]
}

/// The level at which `module` meets `import`: their common parent and the two children of it
/// that they live in. None when one contains the other (a module and its own parent or child).
fn sibling_edge(module: &ModulePath, import: &ModulePath) -> Option<(ModulePath, String, String)> {
    let common = module
        .iter()
        .zip(import.iter())
        .take_while(|(a, b)| a == b)
        .count();
    let from = module.get(common)?;
    let to = import.get(common)?;
    // A name of the parent itself (`crate::Engine`, a type) is not a sibling module.
    if to.chars().next().is_some_and(char::is_uppercase) || to == "self" {
        return None;
    }
    Some((module[..common].to_vec(), from.clone(), to.clone()))
}

/// Whether `parent::name` is a module of the crate (a file of its own), not an item such as a
/// function or a type re-exported by `parent`.
fn is_module(modules: &BTreeSet<ModulePath>, parent: &ModulePath, name: &str) -> bool {
    let mut path = parent.clone();
    path.push(name.to_owned());
    modules.contains(&path)
}

/// A cycle in the graph, as the list of its nodes with the first repeated at the end.
fn find_cycle<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Option<Vec<&'a str>> {
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(at) = stack.iter().position(|n| *n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}
