//! Safe replacement of a secret file in a directory others may write to:
//! the new content goes to a temporary file of a random name created
//! exclusively (`O_EXCL`, so neither a planted file nor a symlink is ever
//! opened) with mode `0600`, then renamed over the file; and an advisory
//! lock (`flock`) on a lock file beside it, which every process that
//! edits the file takes, so concurrent read-modify-writes do not lose
//! each other's changes.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a held lock is tried again.
const LOCK_POLL: Duration = Duration::from_millis(10);
/// How many random temporary names are tried before giving up.
const TEMP_ATTEMPTS: usize = 8;

/// An exclusive advisory lock, released when dropped (closing the file
/// releases a `flock`, also when the process dies).
#[derive(Debug)]
pub(crate) struct Lock {
    _file: File,
}

/// Why [`lock`] failed.
#[derive(Debug)]
pub(crate) enum LockError {
    /// Another process held the lock for all of the wait.
    Busy,
    /// The lock file could not be opened or locked.
    Io(io::Error),
}

/// The lock file of `path`: `path` with `.lock` appended.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

/// Takes the exclusive lock of `path` (on its lock file, created `0600`
/// if missing, never through a symlink), waiting up to `wait`.
pub(crate) fn lock(path: &Path, wait: Duration) -> Result<Lock, LockError> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    let file = opts.open(lock_path(path)).map_err(LockError::Io)?;
    let deadline = Instant::now() + wait;
    loop {
        match try_lock(&file) {
            Ok(true) => return Ok(Lock { _file: file }),
            Ok(false) if Instant::now() >= deadline => return Err(LockError::Busy),
            Ok(false) => std::thread::sleep(LOCK_POLL),
            Err(e) => return Err(LockError::Io(e)),
        }
    }
}

/// One non-blocking attempt: `Ok(false)` when another holds the lock.
fn try_lock(file: &File) -> io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// A random temporary name beside `path`: `.NAME.<16 hex digits>.tmp`.
fn temp_name(path: &Path) -> io::Result<PathBuf> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    Ok(path.with_file_name(format!(".{name}.{hex}.tmp")))
}

/// Replaces `path` with `bytes` atomically: written to a new temporary
/// file (mode `0600`, created exclusively under a random name), synced,
/// then renamed over `path`. The temporary file is removed on failure.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600).custom_flags(libc::O_CLOEXEC);
    }
    let mut attempt = 0;
    let (tmp, mut file) = loop {
        let tmp = temp_name(path)?;
        match opts.open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt + 1 < TEMP_ATTEMPTS => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    };
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("mcpwire-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_held_lock_makes_the_next_wait_then_fail() {
        let d = dir("lock");
        let path = d.join("store.json");
        let held = lock(&path, Duration::ZERO).unwrap();
        // Another open file description: flock excludes it, as it would
        // another process.
        assert!(matches!(
            lock(&path, Duration::from_millis(30)),
            Err(LockError::Busy)
        ));
        drop(held);
        assert!(lock(&path, Duration::ZERO).is_ok());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_symlink_at_the_lock_path_is_not_followed() {
        let d = dir("locklink");
        let path = d.join("store.json");
        let victim = d.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, lock_path(&path)).unwrap();
        assert!(matches!(lock(&path, Duration::ZERO), Err(LockError::Io(_))));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn replace_writes_a_private_file_and_leaves_no_temporary() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("replace");
        let path = d.join("store.json");
        replace(&path, b"one").unwrap();
        replace(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let names: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
        assert_eq!(names.len(), 1);
        let a = temp_name(&path).unwrap();
        let b = temp_name(&path).unwrap();
        assert_ne!(a, b);
        assert!(
            a.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(".store.json.")
        );
        let _ = std::fs::remove_dir_all(&d);
    }
}
