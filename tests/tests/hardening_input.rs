//! Input from files and servers, as an attacker or a hostile server would shape it (issue 11,
//! findings 6 to 9 and 13): nothing it sends crashes the CLI, grows it without bound, writes to
//! the terminal, or is lost.

use webex_token_tests::sandbox::Sandbox;

/// Depth bombs in every syntax the importer reads. The first two are the reproductions
/// (8 KB of `- ` and a 3,000-level mapping): yaml-rust2's loader overflowed the stack on both.
fn nesting_bombs() -> Vec<(&'static str, String)> {
    let sequence = format!("{}x\n", "- ".repeat(4000));
    let mapping: String = (0..3000)
        .map(|level| format!("{}k{level}:\n", "  ".repeat(level)))
        .collect();
    let flow = format!("{}x{}\n", "[".repeat(50_000), "]".repeat(50_000));
    let json = format!("{{\"Acme\": {}", "[".repeat(200_000));
    vec![
        ("sequence.yaml", sequence),
        ("mapping.yaml", mapping),
        ("flow.yaml", flow),
        ("deep.json", json),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn deeply_nested_files_are_refused_with_a_message_not_a_crash() {
    let sandbox = Sandbox::start().await;
    for (name, content) in nesting_bombs() {
        let path = sandbox.input_file(name, content.as_bytes());
        let run = sandbox.run(&["import", "--dry-run", &path]).await;
        assert_eq!(
            run.status.code(),
            Some(1),
            "import of {name} ended with {} (134 is the stack overflow abort):\n{}",
            run.status,
            run.stderr
        );
        run.says(&[
            &format!("{path}: not imported: {path}: line "),
            "nested more than 64 levels deep",
        ]);
    }
    // A good file next to a bomb is still read: the refusal is per file.
    let bomb = sandbox.input_file("bomb.yaml", nesting_bombs()[0].1.as_bytes());
    let good = sandbox.input_file("good.yaml", b"appid: C1234\nsecret: s3cret-value-1\n");
    sandbox.secret("s3cret-value-1");
    sandbox
        .run(&["import", &bomb, &good])
        .await
        .fails()
        .says(&["nested more than 64 levels deep", "imported integration"]);
}
