/**
 * The PostgreSQL extensions the migrations create, as PGlite needs them loaded at start-up
 * (PGlite bundles contrib modules but loads only those passed to its constructor). Every PGlite
 * that runs the migrations must be opened with these.
 */
export async function pgliteExtensions() {
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  return { pg_trgm };
}
