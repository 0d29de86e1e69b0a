-- The bundled demo database dbrest serves when started without --db-uri.
CREATE TABLE authors (
  id integer PRIMARY KEY,
  name text NOT NULL,
  born integer
);
CREATE TABLE books (
  id integer PRIMARY KEY,
  title text NOT NULL,
  author_id integer REFERENCES authors(id),
  year integer,
  available boolean NOT NULL DEFAULT true,
  details JSON
);
INSERT INTO authors VALUES (1, 'Ursula K. Le Guin', 1929), (2, 'Frank Herbert', 1920),
  (3, 'Octavia E. Butler', 1947);
INSERT INTO books VALUES
  (1, 'A Wizard of Earthsea', 1, 1968, true, '{"pages": 183, "series": "Earthsea"}'),
  (2, 'The Left Hand of Darkness', 1, 1969, true, '{"pages": 286}'),
  (3, 'Dune', 2, 1965, false, '{"pages": 412, "series": "Dune"}'),
  (4, 'Kindred', 3, 1979, true, '{"pages": 264}'),
  (5, 'Parable of the Sower', 3, 1993, true, null);
