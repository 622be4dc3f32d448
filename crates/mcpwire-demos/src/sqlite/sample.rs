//! A small sample database (a bookshop and its users) to try the SQL
//! server on: written to a file, or held in memory for as long as a server
//! serves it.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, OpenFlags};

use crate::DemoError;

const SAMPLE: &str = "
CREATE TABLE authors (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    country TEXT NOT NULL
);
CREATE TABLE books (
    id        INTEGER PRIMARY KEY,
    title     TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES authors(id),
    year      INTEGER NOT NULL,
    price     REAL NOT NULL
);
CREATE TABLE orders (
    id       INTEGER PRIMARY KEY,
    book_id  INTEGER NOT NULL REFERENCES books(id),
    quantity INTEGER NOT NULL,
    placed   TEXT NOT NULL
);
CREATE TABLE users (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    email TEXT NOT NULL
);
CREATE VIEW sales AS
    SELECT b.title, sum(o.quantity) AS copies, sum(o.quantity * b.price) AS revenue
    FROM orders o JOIN books b ON b.id = o.book_id GROUP BY b.id;
INSERT INTO authors VALUES
    (1, 'Ursula K. Le Guin', 'US'), (2, 'Stanisław Lem', 'PL'), (3, 'Octavia E. Butler', 'US');
INSERT INTO books VALUES
    (1, 'A Wizard of Earthsea', 1, 1968, 9.99),
    (2, 'The Left Hand of Darkness', 1, 1969, 11.50),
    (3, 'Solaris', 2, 1961, 10.25),
    (4, 'The Cyberiad', 2, 1965, 12.00),
    (5, 'Kindred', 3, 1979, 8.75);
INSERT INTO orders VALUES
    (1, 1, 2, '2026-01-05'), (2, 3, 1, '2026-01-06'), (3, 5, 4, '2026-01-09'),
    (4, 2, 1, '2026-02-01'), (5, 1, 1, '2026-02-14'), (6, 4, 3, '2026-03-03');
INSERT INTO users VALUES
    (123, 'John Doe', 'john@example.com'),
    (124, 'Jane Smith', 'jane@example.com'),
    (125, 'Ana Souza', 'ana@example.com');
";

/// Creates the sample database at `path`: a bookshop (tables `authors`,
/// `books`, `orders` and the view `sales`) and its `users` (id, name,
/// email; user 123 is John Doe), so the usual first query,
/// `SELECT * FROM users WHERE id = ?` with `[123]`, finds a row. Fails if
/// `path` already holds these tables.
pub fn create_sample_database(path: &Path) -> Result<(), DemoError> {
    let wrap = |source| DemoError::Database {
        path: path.to_owned(),
        source,
    };
    let mut c = Connection::open(path).map_err(wrap)?;
    seed(&mut c).map_err(wrap)
}

fn seed(c: &mut Connection) -> rusqlite::Result<()> {
    let tx = c.transaction()?;
    tx.execute_batch(SAMPLE)?;
    tx.commit()
}

/// The sample database in this process's memory, touching no file. The
/// server's connections reach it by [`InMemorySample::uri`] (SQLite's
/// shared `memdb`); it lives as long as this value holds its own
/// connection, and is gone when it is dropped.
#[derive(Debug)]
pub struct InMemorySample {
    uri: String,
    /// Keeps the database alive; never used after seeding.
    _keeper: Mutex<Connection>,
}

impl InMemorySample {
    /// Creates and seeds a fresh sample database under a name no other in
    /// this process uses.
    pub fn new() -> Result<InMemorySample, DemoError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        // A leading `/` makes a memdb database shared by every connection
        // of the process that names it.
        let uri = format!(
            "file:/mcpwire-sample-{}-{n}.db?vfs=memdb",
            std::process::id()
        );
        let wrap = |source| DemoError::Database {
            path: uri.clone().into(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut keeper = Connection::open_with_flags(&uri, flags).map_err(wrap)?;
        seed(&mut keeper).map_err(wrap)?;
        Ok(InMemorySample {
            _keeper: Mutex::new(keeper),
            uri,
        })
    }

    /// The URI the server opens it by, in place of a file path.
    pub fn uri(&self) -> &Path {
        Path::new(&self.uri)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, OpenFlags};

    use super::InMemorySample;

    fn reader(sample: &InMemorySample) -> Connection {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
        Connection::open_with_flags(sample.uri(), flags).unwrap()
    }

    #[test]
    fn another_connection_reads_it_and_cannot_write_it() {
        let sample = InMemorySample::new().unwrap();
        let c = reader(&sample);
        let name: String = c
            .query_row("SELECT name FROM users WHERE id = ?", [123], |r| r.get(0))
            .unwrap();
        assert_eq!(name, "John Doe");
        // The read-only open alone refuses writes.
        let e = c.execute("DELETE FROM users", []).unwrap_err();
        assert_eq!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ReadOnly),
            "{e}"
        );
        let n: i64 = c
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn two_samples_are_apart_and_each_goes_with_its_value() {
        let (a, b) = (
            InMemorySample::new().unwrap(),
            InMemorySample::new().unwrap(),
        );
        assert_ne!(a.uri(), b.uri());
        let uri = a.uri().to_owned();
        drop(a);
        // Nothing is left under the name: a new connection finds no tables.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI;
        let c = Connection::open_with_flags(&uri, flags).unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        let n: i64 = reader(&b)
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
    }
}
