//! The skills-extension scenarios (SEP-2640) of `conformance_client`: a host
//! that discovers skills without fetching any file, and loads a skill only
//! when it means to use it, refusing content that fails verification.
//!
//! * `sep-2640-client-no-prefetch`: list the skills; read nothing.
//! * `sep-2640-client-verify-digest`, `-verify-size`, `-verify-frontmatter`:
//!   list, load the first skill, and read its supporting files only if the
//!   `SKILL.md` verifies. The suite's server tampers with the `SKILL.md`, so
//!   the load must fail; the refusal is the expected outcome and the
//!   scenario completes.

use mcpwire::client::{Client, ClientMode, SkillError};
use mcpwire::types::skills::Skill;

use super::{BoxError, Outcome, Run};

/// The scenarios this module acts out.
pub const SCENARIOS: &[&str] = &[
    "sep-2640-client-no-prefetch",
    "sep-2640-client-verify-digest",
    "sep-2640-client-verify-size",
    "sep-2640-client-verify-frontmatter",
];

/// Runs one of [`SCENARIOS`].
pub async fn run(scenario: &str, run: &Run) -> Outcome {
    // The extension is specified against 2026-07-28: probe with
    // `server/discover`, falling back to a session for a legacy server.
    let builder = super::builder(run).mode(ClientMode::Auto);
    super::session(run, builder, async |client| match scenario {
        "sep-2640-client-no-prefetch" => {
            list(client).await?;
            Ok(())
        }
        _ => load_first(client).await,
    })
    .await
}

/// Every skill the server lists, logged; no skill file is fetched.
async fn list(client: &Client) -> Result<Vec<Skill>, BoxError> {
    let skills = client.skills();
    if !skills.is_supported() {
        return Err("the server does not declare io.modelcontextprotocol/skills".into());
    }
    let entries = skills
        .list()
        .await
        .map_err(|e| format!("skills/list failed: {e}"))?;
    for e in &entries {
        log!(
            "skill {} ({}): {}",
            e.name().unwrap_or("?"),
            e.uri,
            e.description().unwrap_or("")
        );
    }
    Ok(entries)
}

/// Loads the first listed skill and reads each of its supporting files;
/// a verification failure stops the load before any supporting file is
/// read.
async fn load_first(client: &Client) -> Outcome {
    let entries = list(client).await?;
    let entry = entries.first().ok_or("the server lists no skill to load")?;
    let skills = client.skills();
    let loaded = match skills.load(entry).await {
        Ok(loaded) => loaded,
        Err(e) if e.is_verification_failure() => {
            log!("refused to load {}: {e}", entry.uri);
            return Ok(());
        }
        Err(e) => return Err(format!("loading {} failed: {e}", entry.uri).into()),
    };
    log!(
        "loaded {} ({} bytes of instructions)",
        loaded.uri(),
        loaded.body().len()
    );
    let files = entry.resources.files().unwrap_or_default();
    for f in files.iter().filter(|f| f.uri != entry.uri) {
        match skills.read_file(&loaded, &f.uri).await {
            Ok(file) => log!("read {} ({} bytes, verified)", file.uri, file.content.len()),
            Err(e @ SkillError::Request(_)) => return Err(e.into()),
            Err(e) => {
                log!("refused {}: {e}", f.uri);
                return Ok(());
            }
        }
    }
    Ok(())
}
