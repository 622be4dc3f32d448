//! The credential file under attack and under contention: nothing planted
//! at a temporary or lock path is followed or clobbered, and two processes
//! saving at once both keep their entries.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use mcpwire::auth_client::{
    ClientRegistration, CredentialStore, FileStore, StoreError, StoreKey, StoredCredentials,
};

/// Where [`one_writer_saves_fifty_keys`] writes when a test starts it.
const PATH_ENV: &str = "MCPWIRE_STORE_TEST_PATH";
/// The prefix of the keys it saves.
const PREFIX_ENV: &str = "MCPWIRE_STORE_TEST_PREFIX";
/// How many keys one writer saves.
const KEYS: usize = 50;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mcpwire-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn key(prefix: &str, i: usize) -> StoreKey {
    StoreKey::new(
        format!("https://{prefix}.example"),
        format!("https://mcp.example/{i}"),
    )
}

fn creds(id: &str) -> StoredCredentials {
    let mut c = StoredCredentials::default();
    c.client = Some(ClientRegistration::new(id, None));
    c
}

fn saved_keys(path: &Path) -> Vec<StoreKey> {
    FileStore::new(path)
        .list()
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

/// Saves [`KEYS`] keys, one at a time, with a new `FileStore` each time (as
/// separate commands would), then checks they are all there. Run alone it
/// uses a file of its own; [`two_processes_saving_at_once_keep_every_entry`]
/// starts it twice on one file.
#[test]
fn one_writer_saves_fifty_keys() {
    let (path, prefix) = match (std::env::var(PATH_ENV), std::env::var(PREFIX_ENV)) {
        (Ok(p), Ok(prefix)) => (PathBuf::from(p), prefix),
        _ => (temp_dir("solo").join("credentials.json"), "solo".to_owned()),
    };
    for i in 0..KEYS {
        FileStore::new(&path)
            .save(&key(&prefix, i), &creds(&format!("{prefix}-{i}")))
            .unwrap();
    }
    let keys = saved_keys(&path);
    for i in 0..KEYS {
        assert!(keys.contains(&key(&prefix, i)), "{prefix} {i} lost");
    }
}

#[test]
fn two_processes_saving_at_once_keep_every_entry() {
    let dir = temp_dir("two");
    let path = dir.join("credentials.json");
    let old = key("old", 0);
    FileStore::new(&path).save(&old, &creds("old")).unwrap();
    let exe = std::env::current_exe().unwrap();
    let spawn = |prefix: &str| {
        Command::new(&exe)
            .args(["one_writer_saves_fifty_keys", "--exact", "--test-threads=1"])
            .env(PATH_ENV, &path)
            .env(PREFIX_ENV, prefix)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn("a"), spawn("b"));
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The writer did run, on the shared file.
        assert!(stdout.contains("1 passed"), "{stdout}");
    }
    let keys = saved_keys(&path);
    assert_eq!(keys.len(), 2 * KEYS + 1, "{keys:?}");
    assert!(keys.contains(&old));
    for i in 0..KEYS {
        assert!(
            keys.contains(&key("a", i)) && keys.contains(&key("b", i)),
            "{i}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nothing_planted_at_a_temporary_name_is_followed_or_clobbered() {
    let dir = temp_dir("planted");
    let outside = temp_dir("planted-victim");
    let victim = outside.join("victim");
    std::fs::write(&victim, "the victim's data").unwrap();
    let path = dir.join("credentials.json");
    // The names an earlier version used, predictable from the pid.
    let planted: Vec<PathBuf> = (0..4)
        .map(|d| dir.join(format!(".credentials.json.{}.tmp", std::process::id() + d)))
        .chain([dir.join(".credentials.json.tmp")])
        .collect();
    for p in &planted {
        std::os::unix::fs::symlink(&victim, p).unwrap();
    }
    let store = FileStore::new(&path);
    let k = key("planted", 1);
    store.save(&k, &creds("c1")).unwrap();
    assert_eq!(store.load(&k).unwrap(), Some(creds("c1")));
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "the victim's data"
    );
    for p in &planted {
        let meta = std::fs::symlink_metadata(p).unwrap();
        assert!(meta.file_type().is_symlink(), "{} replaced", p.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&outside);
}

#[test]
fn a_symlink_planted_as_the_lock_file_is_refused() {
    let dir = temp_dir("locklink");
    let outside = temp_dir("locklink-victim");
    let victim = outside.join("victim");
    std::fs::write(&victim, "the victim's data").unwrap();
    let path = dir.join("credentials.json");
    let store = FileStore::new(&path);
    let k = key("kept", 1);
    store.save(&k, &creds("kept")).unwrap();
    let lock = dir.join("credentials.json.lock");
    std::fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    let e = store.save(&key("new", 2), &creds("new")).unwrap_err();
    match &e {
        StoreError::Io { path, .. } => assert!(path.ends_with("credentials.json.lock"), "{e}"),
        other => panic!("expected an I/O error on the lock file, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "the victim's data"
    );
    // What was stored is intact; once the link is gone, saving works.
    assert_eq!(saved_keys(&path), [k]);
    std::fs::remove_file(&lock).unwrap();
    store.save(&key("new", 2), &creds("new")).unwrap();
    assert_eq!(saved_keys(&path).len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&outside);
}

#[test]
fn a_lock_held_too_long_is_a_typed_error_and_changes_nothing() {
    let dir = temp_dir("held");
    let path = dir.join("credentials.json");
    let k = key("kept", 1);
    FileStore::new(&path).save(&k, &creds("kept")).unwrap();
    // Another process's lock, as `flock` sees it: another open file.
    let other = std::fs::File::open(dir.join("credentials.json.lock")).unwrap();
    other.lock().unwrap();
    let store = FileStore::new(&path).lock_wait(Duration::from_millis(50));
    let e = store.save(&key("new", 2), &creds("new")).unwrap_err();
    assert!(matches!(e, StoreError::Locked { .. }), "{e:?}");
    assert!(e.to_string().contains("locked by another process"), "{e}");
    assert!(matches!(
        store.remove(&k).unwrap_err(),
        StoreError::Locked { .. }
    ));
    // Reading never waits for the lock.
    assert_eq!(saved_keys(&path), [k]);
    drop(other);
    store.save(&key("new", 2), &creds("new")).unwrap();
    assert_eq!(saved_keys(&path).len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}
