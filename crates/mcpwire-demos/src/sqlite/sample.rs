//! A small sample database (a bookshop and its users) to try the SQL
//! server on.

use std::path::Path;

use rusqlite::Connection;

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
    let tx = c.transaction().map_err(wrap)?;
    tx.execute_batch(SAMPLE).map_err(wrap)?;
    tx.commit().map_err(wrap)
}
