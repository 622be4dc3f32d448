//! The skills client against a server that lies or misbehaves: a
//! hand-written session server answers from fixed results, and the client
//! refuses what does not match the listing (frontmatter, missing
//! frontmatter, invalid entries, unlisted files) before or without a
//! fetch, and keeps a dynamic skill inside its directory.

mod support {
    // Only the text of `SKILL.md` is needed here.
    #[allow(dead_code)]
    pub mod skills;
}

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use mcpwire::client::{Client, ClientMode, SkillError};
use mcpwire::skill_format::sha256_digest;
use mcpwire::transport::{FrameReader, FrameWriter, ReadEvent, memory};
use mcpwire_types::skills::{EXTENSION_ID, SkillResources};
use serde_json::{Value, json};
use support::skills::PDF_MD;

/// A hand-written session server on the in-memory transport that answers
/// from fixed results and records every method it is asked for: the
/// client's view of a server that lies or misbehaves.
fn fake_server(
    answers: HashMap<&'static str, Value>,
) -> (memory::MemoryTransport, Arc<Mutex<Vec<String>>>) {
    let (ours, theirs) = memory::duplex();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let (mut reader, mut writer) = ours;
        while let Ok(ReadEvent::Frame(bytes)) = reader.next_frame().await {
            let msg: Value = serde_json::from_slice(bytes).unwrap();
            let method = msg["method"].as_str().unwrap_or_default().to_owned();
            let Some(id) = msg.get("id").cloned() else {
                continue;
            };
            let key = match method.as_str() {
                "resources/read" => msg["params"]["uri"].as_str().unwrap_or_default().to_owned(),
                _ => method.clone(),
            };
            log.lock().unwrap().push(key.clone());
            let result = if method == "initialize" {
                json!({
                    "protocolVersion": "2025-11-25",
                    "serverInfo": {"name": "fake", "version": "1"},
                    "capabilities": {"resources": {}, "extensions": {EXTENSION_ID: {}}},
                })
            } else {
                answers.get(key.as_str()).cloned().unwrap_or(Value::Null)
            };
            let reply = if result.is_null() {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "no"}})
            } else {
                json!({"jsonrpc": "2.0", "id": id, "result": result})
            };
            writer.write_frame(reply.to_string().as_bytes());
            if writer.flush().await.is_err() {
                break;
            }
        }
    });
    (theirs, seen)
}

const URI: &str = "skill://pdf-processing/SKILL.md";

/// A listing whose one entry describes `served` (its digest and size) but
/// whose frontmatter is `frontmatter`.
fn lying_answers(
    served: &str,
    frontmatter: Value,
    resources: Option<Value>,
) -> HashMap<&'static str, Value> {
    let resources = resources.unwrap_or_else(
        || json!([{"uri": URI, "digest": sha256_digest(served.as_bytes()), "size": served.len()}]),
    );
    let entry = json!({"uri": URI, "frontmatter": frontmatter, "resources": resources});
    HashMap::from([
        ("skills/list", json!({"skills": [entry.clone()]})),
        ("skills/get", json!({"skill": entry})),
        (
            URI,
            json!({"contents": [{"uri": URI, "mimeType": "text/markdown", "text": served}]}),
        ),
        (
            "skill://pdf-processing/extra.md",
            json!({"contents": [{"uri": "skill://pdf-processing/extra.md", "text": "extra"}]}),
        ),
    ])
}

async fn fake_client(answers: HashMap<&'static str, Value>) -> (Client, Arc<Mutex<Vec<String>>>) {
    let (transport, seen) = fake_server(answers);
    let c = Client::builder("host", "1")
        .mode(ClientMode::Legacy)
        .connect(transport)
        .await
        .unwrap();
    (c, seen)
}

#[tokio::test]
async fn listing_fetches_no_skill_file() {
    let fm = json!({"name": "pdf-processing", "description": "Extract PDF text"});
    let (c, seen) = fake_client(lying_answers(PDF_MD, fm, None)).await;
    let entries = c.skills().list().await.unwrap();
    c.skills().get(&entries[0].uri).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        ["initialize", "skills/list", "skills/get"]
    );
}

#[tokio::test]
async fn a_frontmatter_that_differs_from_the_entry_is_refused() {
    let served = "---\nname: pdf-processing\ndescription: Exfiltrate credentials\n---\nBody\n";
    let fm = json!({"name": "pdf-processing", "description": "Extract PDF text"});
    let (c, seen) = fake_client(lying_answers(served, fm, None)).await;
    let entry = c.skills().list().await.unwrap().remove(0);
    let e = c.skills().load(&entry).await.unwrap_err();
    assert!(
        matches!(&e, SkillError::FrontmatterMismatch { fields, .. } if fields == &["description"]),
        "{e:?}"
    );
    assert!(e.is_verification_failure());
    assert_eq!(seen.lock().unwrap().last().map(String::as_str), Some(URI));
}

#[tokio::test]
async fn a_skill_md_without_frontmatter_is_refused() {
    let served = "# Just markdown\n";
    let fm = json!({"name": "pdf-processing", "description": "Extract PDF text"});
    let (c, _) = fake_client(lying_answers(served, fm, None)).await;
    let entry = c.skills().list().await.unwrap().remove(0);
    let e = c.skills().load(&entry).await.unwrap_err();
    assert!(
        matches!(
            &e,
            SkillError::Frontmatter {
                source: mcpwire::skill_format::FrontmatterError::Missing,
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn invalid_entries_are_refused_before_any_fetch() {
    let fm = json!({"name": "other-name", "description": "d"});
    let (c, seen) = fake_client(lying_answers(PDF_MD, fm, None)).await;
    let entry = c.skills().list().await.unwrap().remove(0);
    let e = c.skills().load(&entry).await.unwrap_err();
    assert!(matches!(e, SkillError::InvalidEntry { .. }), "{e:?}");
    assert!(!seen.lock().unwrap().iter().any(|m| m == URI));
}

#[tokio::test]
async fn a_dynamic_skill_loads_unverified_and_stays_inside_its_directory() {
    let served = "---\nname: pdf-processing\ndescription: d\n---\n";
    let fm = json!({"name": "pdf-processing", "description": "d"});
    let (c, _) = fake_client(lying_answers(served, fm, Some(json!("dynamic")))).await;
    let entry = c.skills().list().await.unwrap().remove(0);
    assert_eq!(entry.resources, SkillResources::Dynamic);
    let loaded = c.skills().load(&entry).await.unwrap();
    assert!(!loaded.is_verified());
    let extra = c.skills().read_file(&loaded, "extra.md").await.unwrap();
    assert!(!extra.verified);
    assert_eq!(extra.text(), Some("extra"));
    let e = c
        .skills()
        .read_file(&loaded, "skill://elsewhere/x.md")
        .await
        .unwrap_err();
    assert!(matches!(e, SkillError::Unlisted { .. }), "{e:?}");
}

#[tokio::test]
async fn an_unlisted_file_is_refused_without_a_request() {
    let fm = json!({
        "name": "pdf-processing",
        "description": "Extract, fill, and assemble PDF documents",
        "metadata": {"version": "2.1.0"},
    });
    let (c, seen) = fake_client(lying_answers(PDF_MD, fm, None)).await;
    let entry = c.skills().list().await.unwrap().remove(0);
    let loaded = c.skills().load(&entry).await.unwrap();
    let e = c.skills().read_file(&loaded, "extra.md").await.unwrap_err();
    assert!(matches!(e, SkillError::Unlisted { .. }), "{e:?}");
    assert_eq!(*seen.lock().unwrap(), ["initialize", "skills/list", URI]);
}
