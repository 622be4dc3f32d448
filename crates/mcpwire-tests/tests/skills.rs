//! The skills extension (SEP-2640) end to end over the in-memory transport:
//! an mcpwire server publishes skills, an mcpwire client lists, gets, loads
//! and reads them, in both protocol eras. Tampered content (wrong size,
//! wrong digest) is refused with its own error, and the server keeps
//! serving after bad requests; `skills_distrust.rs` has the client against
//! a server that lies. Server answers are checked against the 2026-07-28 schema where
//! it defines the shapes the extension reuses.

#[allow(dead_code)]
#[path = "../../mcpwire-types/tests/support/mod.rs"]
mod schemas;
mod support {
    pub mod skills;
}

use std::path::PathBuf;
use std::time::Duration;

use mcpwire::client::{Client, ClientBuilder, ClientMode, SkillError};
use mcpwire::server::{ResourceRoute, Server, ServerBuilder, Skill};
use mcpwire::skill_format::sha256_digest;
use mcpwire_testkit::RawPeer;
use mcpwire_types::ProtocolVersion;
use mcpwire_types::skills::EXTENSION_ID;
use schemas::Schemas;
use serde_json::{Value, json};
use support::skills::{FORMS_MD, PDF_MD, PNG, pdf, refunds};

fn builder() -> ServerBuilder {
    Server::builder("skills-test", "1.0.0").skills([pdf(), refunds()])
}

use mcpwire_testkit::memory::connect;

/// A client of each era: stateless (probing with `server/discover`) and a
/// legacy session.
fn clients() -> [ClientBuilder; 2] {
    [
        Client::builder("host", "1").mode(ClientMode::Auto),
        Client::builder("host", "1").mode(ClientMode::Legacy),
    ]
}

fn check(def: &str, v: &Value) {
    Schemas::get()
        .check(ProtocolVersion::V2026_07_28, def, v)
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn skills_are_listed_got_loaded_and_read_in_both_eras() {
    let server = builder().build().unwrap();
    for client in clients() {
        let c = connect(&server, client).await;
        let skills = c.skills();
        let cap = skills.capability().expect("the extension is declared");
        assert!(cap.supports_directory_read());
        assert!(c.server_capabilities().resources.is_some());

        let listed = skills.list().await.unwrap();
        let uris: Vec<&str> = listed.iter().map(|s| s.uri.as_str()).collect();
        assert_eq!(
            uris,
            [
                "skill://pdf-processing/SKILL.md",
                "skill://acme/billing/refunds/SKILL.md"
            ]
        );
        let entry = &listed[0];
        assert_eq!(entry.frontmatter["metadata"]["version"], "2.1.0");
        let files = entry.resources.files().unwrap();
        assert_eq!(files.len(), 4);
        let md = files.iter().find(|f| f.uri == entry.uri).unwrap();
        assert_eq!(md.digest, sha256_digest(PDF_MD.as_bytes()));
        assert_eq!(md.size, PDF_MD.len() as u64);
        assert_eq!(&skills.get(&entry.uri).await.unwrap(), entry);

        let loaded = skills.load(entry).await.unwrap();
        assert!(loaded.is_verified());
        assert_eq!(loaded.name(), "pdf-processing");
        assert_eq!(loaded.content(), PDF_MD);
        assert_eq!(loaded.body(), "\n# PDF\n\nSee references/FORMS.md.\n");
        let forms = skills
            .read_file(&loaded, "references/FORMS.md")
            .await
            .unwrap();
        assert_eq!(forms.text(), Some(FORMS_MD));
        assert_eq!(forms.mime_type.as_deref(), Some("text/markdown"));
        assert!(forms.verified);
        let logo = skills
            .read_file(&loaded, "./assets/../assets/logo.png")
            .await
            .unwrap();
        assert_eq!(logo.content, PNG);
        assert_eq!(logo.mime_type.as_deref(), Some("image/png"));

        let root = skills
            .read_directory(loaded.root_uri(), None)
            .await
            .unwrap();
        let children: Vec<(&str, Option<&str>)> = root
            .resources
            .iter()
            .map(|r| (r.uri.as_str(), r.mime_type.as_deref()))
            .collect();
        assert_eq!(
            children,
            [
                ("skill://pdf-processing/SKILL.md", Some("text/markdown")),
                ("skill://pdf-processing/assets", Some("inode/directory")),
                ("skill://pdf-processing/references", Some("inode/directory")),
                ("skill://pdf-processing/templates", Some("inode/directory")),
            ]
        );
        let prefix = skills.read_directory("skill://acme", None).await.unwrap();
        assert_eq!(prefix.resources[0].uri, "skill://acme/billing");
        assert!(prefix.resources[0].is_directory());

        // The SKILL.md resource is named and described from its frontmatter.
        let listed = c.list_resources().await.unwrap();
        let md = listed.iter().find(|r| r.uri == entry.uri).unwrap();
        assert_eq!(md.name, "pdf-processing");
        assert_eq!(
            md.description.as_deref(),
            Some("Extract, fill, and assemble PDF documents")
        );
        c.close().await;
    }
}

#[tokio::test]
async fn a_skill_read_from_a_directory_serves_its_files() {
    let dir = scratch_dir("from-dir");
    std::fs::create_dir_all(dir.join("git-workflow/scripts")).unwrap();
    std::fs::create_dir_all(dir.join("git-workflow/.git")).unwrap();
    let md =
        "---\nname: git-workflow\ndescription: Team Git conventions\n---\nRun scripts/check.sh.\n";
    std::fs::write(dir.join("git-workflow/SKILL.md"), md).unwrap();
    std::fs::write(dir.join("git-workflow/scripts/check.sh"), "git status\n").unwrap();
    std::fs::write(dir.join("git-workflow/.git/HEAD"), "ref: main\n").unwrap();
    let skill = Skill::from_dir(dir.join("git-workflow")).unwrap();
    assert_eq!(
        skill.file_uris().collect::<Vec<_>>(),
        [
            "skill://git-workflow/SKILL.md",
            "skill://git-workflow/scripts/check.sh"
        ]
    );
    let server = Server::builder("dir", "1").skill(skill).build().unwrap();
    let c = connect(
        &server,
        Client::builder("host", "1").mode(ClientMode::Legacy),
    )
    .await;
    let entry = c
        .skills()
        .get("skill://git-workflow/SKILL.md")
        .await
        .unwrap();
    let loaded = c.skills().load(&entry).await.unwrap();
    let script = c
        .skills()
        .read_file(&loaded, "scripts/check.sh")
        .await
        .unwrap();
    assert_eq!(script.text(), Some("git status\n"));
    assert!(matches!(
        Skill::from_dir(dir.join("missing")),
        Err(mcpwire::server::SkillBuildError::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcpwire-skills-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Serves `content` at `uri` in place of the skill file there, as a
/// tampering intermediary or a changed file would.
fn tamper(server: &Server, uri: &str, content: &'static str) {
    server.add_resource(ResourceRoute::new(
        uri,
        "tampered",
        move |_, _, _| async move { content.to_string() },
    ));
}

#[tokio::test]
async fn a_skill_md_of_the_wrong_size_or_digest_is_refused() {
    for client in clients() {
        let server = builder().build().unwrap();
        let c = connect(&server, client).await;
        let skills = c.skills();
        let entry = skills.get("skill://pdf-processing/SKILL.md").await.unwrap();

        // Longer than the entry says: a size mismatch, digest or not.
        tamper(
            &server,
            &entry.uri,
            "---\nname: pdf-processing\n---\nEvil!\n",
        );
        let e = skills.load(&entry).await.unwrap_err();
        assert!(
            matches!(&e, SkillError::SizeMismatch { expected, actual, .. }
                if *expected == PDF_MD.len() as u64 && *actual == 35),
            "{e:?}"
        );
        assert!(e.is_verification_failure());

        // Same length, other bytes: a digest mismatch.
        let same_len: &'static str = Box::leak(PDF_MD.replace("PDF\n", "PWN\n").into_boxed_str());
        tamper(&server, &entry.uri, same_len);
        let e = skills.load(&entry).await.unwrap_err();
        assert!(
            matches!(&e, SkillError::DigestMismatch { expected, actual, .. }
                if *expected == sha256_digest(PDF_MD.as_bytes()) && *actual == sha256_digest(same_len.as_bytes())),
            "{e:?}"
        );
        assert!(e.to_string().contains("was not used"), "{e}");

        // The server goes on serving; the other skill still loads.
        let other = skills
            .get("skill://acme/billing/refunds/SKILL.md")
            .await
            .unwrap();
        assert_eq!(skills.load(&other).await.unwrap().name(), "refunds");
    }
}

#[tokio::test]
async fn a_supporting_file_is_verified_and_must_be_listed() {
    let server = builder().build().unwrap();
    let c = connect(
        &server,
        Client::builder("host", "1").mode(ClientMode::Legacy),
    )
    .await;
    let skills = c.skills();
    let entry = skills.get("skill://pdf-processing/SKILL.md").await.unwrap();
    let loaded = skills.load(&entry).await.unwrap();

    tamper(
        &server,
        "skill://pdf-processing/references/FORMS.md",
        "# Fakes\n",
    );
    let e = skills
        .read_file(&loaded, "references/FORMS.md")
        .await
        .unwrap_err();
    assert!(matches!(e, SkillError::DigestMismatch { .. }), "{e:?}");

    // A file the entry does not list is refused, even if the server would
    // serve it.
    tamper(&server, "skill://pdf-processing/references/NEW.md", "new\n");
    for path in [
        "references/NEW.md",
        "../acme/billing/refunds/SKILL.md",
        "../../x",
    ] {
        let e = skills.read_file(&loaded, path).await.unwrap_err();
        assert!(matches!(e, SkillError::Unlisted { .. }), "{path}: {e:?}");
        assert!(e.is_verification_failure());
    }
    let e = skills
        .read_file(&loaded, "skill://acme/billing/refunds/SKILL.md")
        .await
        .unwrap_err();
    assert!(matches!(e, SkillError::Unlisted { .. }), "{e:?}");

    // A listed file the server stopped serving.
    server.remove_resource("skill://pdf-processing/templates/regional/eu.md");
    let e = skills
        .read_file(&loaded, "templates/regional/eu.md")
        .await
        .unwrap_err();
    assert!(matches!(e, SkillError::FileNotServed { .. }), "{e:?}");
}

#[tokio::test]
async fn an_unknown_skill_is_invalid_params_and_the_server_goes_on() {
    let server = builder().build().unwrap();
    for client in clients() {
        let c = connect(&server, client).await;
        let e = c.skills().get("skill://nope/SKILL.md").await.unwrap_err();
        assert!(
            matches!(&e, SkillError::UnknownSkill { uri } if uri == "skill://nope/SKILL.md"),
            "{e:?}"
        );
        assert_eq!(c.skills().list().await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn a_server_without_skills_declares_nothing() {
    let server = Server::builder("plain", "1").build().unwrap();
    let c = connect(
        &server,
        Client::builder("host", "1").mode(ClientMode::Legacy),
    )
    .await;
    assert!(!c.skills().is_supported());
    assert!(matches!(
        c.skills().list().await,
        Err(SkillError::NotDeclared)
    ));
    assert!(matches!(
        c.skills().read_directory("skill://x", None).await,
        Err(SkillError::NotDeclared)
    ));
    // An empty skill set still declares the extension, with resources.
    let empty = Server::builder("empty", "1").skills([]).build().unwrap();
    let c = connect(
        &empty,
        Client::builder("host", "1").mode(ClientMode::Legacy),
    )
    .await;
    assert!(c.skills().is_supported());
    assert!(c.server_capabilities().resources.is_some());
    assert!(c.skills().list().await.unwrap().is_empty());
}

#[tokio::test]
async fn skills_are_added_and_removed_at_run_time() {
    let server = Server::builder("live", "1").skill(pdf()).build().unwrap();
    let c = connect(
        &server,
        Client::builder("host", "1").mode(ClientMode::Legacy),
    )
    .await;
    let mut notes = c.notifications();
    server.add_skill(refunds());
    let got = tokio::time::timeout(Duration::from_secs(5), notes.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got,
        mcpwire::client::ServerNotification::ResourcesListChanged
    );
    let entry = c
        .skills()
        .get("skill://acme/billing/refunds/SKILL.md")
        .await
        .unwrap();
    c.skills().load(&entry).await.unwrap();

    assert!(server.remove_skill(&entry.uri));
    assert!(!server.remove_skill(&entry.uri));
    assert!(matches!(
        c.skills().get(&entry.uri).await,
        Err(SkillError::UnknownSkill { .. })
    ));
    assert!(matches!(
        c.skills().load(&entry).await,
        Err(SkillError::FileNotServed { .. })
    ));
    assert!(matches!(
        c.skills().read_directory("skill://acme", None).await,
        Err(SkillError::Request(_))
    ));
    assert_eq!(server.skills().len(), 1);
}

#[tokio::test]
async fn listings_and_directories_are_paginated() {
    let server = builder().page_size(1).build().unwrap();
    let c = connect(
        &server,
        Client::builder("host", "1").mode(ClientMode::Legacy),
    )
    .await;
    let first = c.skills().list_page(None).await.unwrap();
    assert_eq!(first.skills.len(), 1);
    let next = first.next_cursor.expect("a second page");
    let second = c.skills().list_page(Some(next)).await.unwrap();
    assert_eq!(second.skills.len(), 1);
    assert!(second.next_cursor.is_none());
    assert_eq!(c.skills().list().await.unwrap().len(), 2);
    let page = c
        .skills()
        .read_directory("skill://pdf-processing", None)
        .await
        .unwrap();
    assert_eq!(page.resources.len(), 1);
    assert!(page.next_cursor.is_some());
}

/// A raw stateless connection to `server`, for requests no typed call
/// would send.
struct Raw(RawPeer);

impl Raw {
    fn start(server: &Server) -> Raw {
        Raw(RawPeer::serving(server))
    }

    async fn call(&mut self, method: &str, mut params: Value) -> Value {
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        });
        let (before, answer) = self.0.call(method, params).await;
        assert!(before.is_empty(), "{method}: {before:?}");
        answer
    }
}

#[tokio::test]
async fn stateless_results_have_the_extension_shapes() {
    let server = builder().build().unwrap();
    let mut raw = Raw::start(&server);
    let d = raw.call("server/discover", json!({})).await;
    check("DiscoverResult", &d["result"]);
    assert_eq!(
        d["result"]["capabilities"]["extensions"][EXTENSION_ID],
        json!({"directoryRead": true})
    );
    let list = raw.call("skills/list", json!({})).await;
    check("PaginatedResult", &list["result"]);
    check("CacheableResult", &list["result"]);
    assert_eq!(list["result"]["resultType"], "complete");
    let get = raw
        .call(
            "skills/get",
            json!({"uri": "skill://pdf-processing/SKILL.md"}),
        )
        .await;
    check("CacheableResult", &get["result"]);
    assert!(get["result"].get("nextCursor").is_none());
    assert_eq!(get["result"]["skill"], list["result"]["skills"][0]);
    let dir = raw
        .call(
            "resources/directory/read",
            json!({"uri": "skill://pdf-processing/templates"}),
        )
        .await;
    check("PaginatedResult", &dir["result"]);
    for r in dir["result"]["resources"].as_array().unwrap() {
        check("Resource", r);
    }
    let read = raw
        .call(
            "resources/read",
            json!({"uri": "skill://pdf-processing/assets/logo.png"}),
        )
        .await;
    check("ReadResourceResult", &read["result"]);
    assert_eq!(read["result"]["contents"][0]["blob"], "iVBORw0KGgr/AA==");
}

#[tokio::test]
async fn bad_requests_get_invalid_params_and_the_server_goes_on() {
    let server = builder().build().unwrap();
    let mut raw = Raw::start(&server);
    let cases = [
        ("skills/get", json!({})),
        ("skills/get", json!({"uri": 7})),
        ("skills/get", json!({"uri": "skill://pdf-processing"})),
        ("skills/list", json!({"cursor": "not-a-cursor"})),
        ("resources/directory/read", json!({})),
        (
            "resources/directory/read",
            json!({"uri": "skill://pdf-processing/SKILL.md"}),
        ),
        (
            "resources/directory/read",
            json!({"uri": "skill://nowhere"}),
        ),
        (
            "resources/directory/read",
            json!({"uri": "skill://pdf-processing/"}),
        ),
        (
            "resources/directory/read",
            json!({"uri": "skill://pdf-processing", "cursor": "o99"}),
        ),
    ];
    for (method, params) in cases {
        let r = raw.call(method, params.clone()).await;
        assert_eq!(r["error"]["code"], -32602, "{method} {params}: {r}");
        let message = r["error"]["message"].as_str().unwrap();
        assert!(!message.is_empty());
    }
    let r = raw
        .call(
            "resources/directory/read",
            json!({"uri": "skill://pdf-processing/SKILL.md"}),
        )
        .await;
    assert_eq!(
        r["error"]["message"],
        "skill://pdf-processing/SKILL.md is not a directory resource"
    );
    let r = raw.call("skills/list", json!({})).await;
    assert_eq!(r["result"]["skills"].as_array().unwrap().len(), 2);
    // A server without skills does not know the methods.
    let mut plain = Raw::start(&Server::builder("plain", "1").build().unwrap());
    let r = plain.call("skills/list", json!({})).await;
    assert_eq!(r["error"]["code"], -32601);
}
