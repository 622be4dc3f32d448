//! Where credentials live between runs: the [`CredentialStore`] trait, keyed
//! by authorization server issuer and resource (credentials of one issuer
//! are never offered to another), with an in-memory and a JSON-file store.
//!
//! The [`FileStore`] file holds secrets: it is created with mode `0600`,
//! replaced atomically (a temporary file of a random name in the same
//! directory, created exclusively so nothing planted there is followed,
//! then a rename), and a file found with looser permissions is tightened
//! to `0600` before it is read. Every change is a read-modify-write under
//! an advisory lock (`flock` on `FILE.lock`) that all processes take, so
//! two commands saving at once keep both their entries.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::atomic_file::{self, LockError};

/// How long a change waits for another process's lock on the file.
const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(10);

/// The key of a credential set: the issuer of the authorization server
/// that granted them and the resource they are for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StoreKey {
    /// The authorization server's issuer identifier.
    pub issuer: String,
    /// The protected resource (the MCP server's resource indicator).
    pub resource: String,
}

impl StoreKey {
    /// A key.
    pub fn new(issuer: impl Into<String>, resource: impl Into<String>) -> StoreKey {
        StoreKey {
            issuer: issuer.into(),
            resource: resource.into(),
        }
    }
}

/// A client registration at one authorization server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientRegistration {
    /// The client id (a URL for a Client ID Metadata Document).
    pub client_id: String,
    /// The client secret, for confidential clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The token endpoint authentication method the server registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
}

impl ClientRegistration {
    /// A registration of `client_id`, with an optional secret.
    pub fn new(client_id: impl Into<String>, client_secret: Option<String>) -> ClientRegistration {
        ClientRegistration {
            client_id: client_id.into(),
            client_secret,
            token_endpoint_auth_method: None,
        }
    }
}

impl fmt::Debug for ClientRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientRegistration")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "token_endpoint_auth_method",
                &self.token_endpoint_auth_method,
            )
            .finish()
    }
}

/// Tokens granted by an authorization server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenSet {
    /// The access token.
    pub access_token: String,
    /// The token type, e.g. `Bearer`.
    pub token_type: String,
    /// The refresh token, if one was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token expires, in seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The scopes granted (as the server said, else as requested).
    #[serde(default)]
    pub scope: Vec<String>,
}

impl TokenSet {
    /// Whether the access token expires within `margin` seconds from now.
    pub fn expires_within(&self, margin: u64) -> bool {
        self.expires_at
            .is_some_and(|at| now_secs().saturating_add(margin) >= at)
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("token_type", &self.token_type)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Everything stored under one [`StoreKey`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredCredentials {
    /// The client registration at the issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientRegistration>,
    /// The current tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenSet>,
    /// When this entry was last written, in seconds since the Unix epoch.
    #[serde(default)]
    pub updated_at: u64,
}

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Keeps credentials, keyed by issuer and resource.
///
/// The methods are synchronous and quick (a small file at most); they are
/// called while an authorization is in progress, never per request.
pub trait CredentialStore: Send + Sync + fmt::Debug {
    /// The credentials under `key`.
    fn load(&self, key: &StoreKey) -> Result<Option<StoredCredentials>, StoreError>;
    /// Stores `creds` under `key`, replacing what was there.
    fn save(&self, key: &StoreKey, creds: &StoredCredentials) -> Result<(), StoreError>;
    /// Forgets what is under `key`.
    fn remove(&self, key: &StoreKey) -> Result<(), StoreError>;
    /// Every entry.
    fn list(&self) -> Result<Vec<(StoreKey, StoredCredentials)>, StoreError>;
}

/// Credentials in memory, for the life of the process.
///
/// ```
/// use mcpwire_oauth::client::{CredentialStore, MemoryStore, StoreKey, StoredCredentials};
/// let store = MemoryStore::new();
/// let key = StoreKey::new("https://as.example", "https://mcp.example/mcp");
/// store.save(&key, &StoredCredentials::default()).unwrap();
/// assert!(store.load(&key).unwrap().is_some());
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<BTreeMap<StoreKey, StoredCredentials>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<StoreKey, StoredCredentials>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl CredentialStore for MemoryStore {
    fn load(&self, key: &StoreKey) -> Result<Option<StoredCredentials>, StoreError> {
        Ok(self.map().get(key).cloned())
    }
    fn save(&self, key: &StoreKey, creds: &StoredCredentials) -> Result<(), StoreError> {
        self.map().insert(key.clone(), creds.clone());
        Ok(())
    }
    fn remove(&self, key: &StoreKey) -> Result<(), StoreError> {
        self.map().remove(key);
        Ok(())
    }
    fn list(&self) -> Result<Vec<(StoreKey, StoredCredentials)>, StoreError> {
        Ok(self
            .map()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}

/// The file format of [`FileStore`].
#[derive(Debug, Default, Serialize, Deserialize)]
struct FileFormat {
    version: u32,
    #[serde(default)]
    entries: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    #[serde(flatten)]
    key: StoreKey,
    credentials: StoredCredentials,
}

/// Credentials in a JSON file, readable by the owner only (mode `0600`).
///
/// ```no_run
/// use mcpwire_oauth::client::FileStore;
/// let store = FileStore::new("/home/me/.config/mcpwire/credentials.json");
/// ```
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
    lock: Mutex<()>,
    lock_wait: Duration,
}

impl FileStore {
    /// A store in the file at `path` (created on the first save, with its
    /// directory, mode `0700`; the lock file `PATH.lock` beside it).
    pub fn new(path: impl Into<PathBuf>) -> FileStore {
        FileStore {
            path: path.into(),
            lock: Mutex::new(()),
            lock_wait: DEFAULT_LOCK_WAIT,
        }
    }

    /// How long a save or remove waits while another process changes the
    /// file (default 10 s), before failing with [`StoreError::Locked`].
    #[must_use]
    pub fn lock_wait(mut self, wait: Duration) -> FileStore {
        self.lock_wait = wait;
        self
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.display().to_string(),
            source,
        }
    }

    fn read(&self) -> Result<FileFormat, StoreError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileFormat::default()),
            Err(e) => return Err(self.io(e)),
        };
        self.tighten()?;
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// Repairs a file others may read: sets its mode to `0600`.
    #[cfg(unix)]
    fn tighten(&self) -> Result<(), StoreError> {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(&self.path).map_err(|e| self.io(e))?;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                path = %self.path.display(),
                "the credential file was readable by others; restricting it to its owner (0600)"
            );
            std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| self.io(e))?;
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn tighten(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Creates the file's directory (mode `0700`) if it is missing.
    fn ensure_dir(&self) -> Result<(), StoreError> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.exists() {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(&dir).map_err(|e| self.io(e))?;
        }
        Ok(())
    }

    fn write(&self, data: &FileFormat) -> Result<(), StoreError> {
        let json = serde_json::to_vec_pretty(data).map_err(|e| StoreError::Corrupt {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        })?;
        atomic_file::replace(&self.path, &json).map_err(|e| self.io(e))
    }

    /// Reads the file, lets `change` edit it, and writes it back when
    /// `change` says so: all under the in-process and the inter-process
    /// lock.
    fn modify(&self, change: impl FnOnce(&mut FileFormat) -> bool) -> Result<(), StoreError> {
        let _g = self.guard();
        self.ensure_dir()?;
        let _lock = atomic_file::lock(&self.path, self.lock_wait).map_err(|e| match e {
            LockError::Busy => StoreError::Locked {
                path: self.path.display().to_string(),
                waited: self.lock_wait,
            },
            LockError::Io(e) => StoreError::Io {
                path: atomic_file::lock_path(&self.path).display().to_string(),
                source: e,
            },
        })?;
        let mut data = self.read()?;
        if !change(&mut data) {
            return Ok(());
        }
        data.version = 1;
        self.write(&data)
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl CredentialStore for FileStore {
    fn load(&self, key: &StoreKey) -> Result<Option<StoredCredentials>, StoreError> {
        let _g = self.guard();
        Ok(self
            .read()?
            .entries
            .into_iter()
            .find(|e| e.key == *key)
            .map(|e| e.credentials))
    }

    fn save(&self, key: &StoreKey, creds: &StoredCredentials) -> Result<(), StoreError> {
        self.modify(|data| {
            data.entries.retain(|e| e.key != *key);
            data.entries.push(FileEntry {
                key: key.clone(),
                credentials: creds.clone(),
            });
            true
        })
    }

    fn remove(&self, key: &StoreKey) -> Result<(), StoreError> {
        if !self.path.exists() {
            return Ok(());
        }
        self.modify(|data| {
            let before = data.entries.len();
            data.entries.retain(|e| e.key != *key);
            data.entries.len() != before
        })
    }

    fn list(&self) -> Result<Vec<(StoreKey, StoredCredentials)>, StoreError> {
        let _g = self.guard();
        Ok(self
            .read()?
            .entries
            .into_iter()
            .map(|e| (e.key, e.credentials))
            .collect())
    }
}
