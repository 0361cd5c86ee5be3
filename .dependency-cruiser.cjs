/**
 * The layering, checked in `npm test` (npm run boundaries):
 *   app/, pages/ → lib/server → lib/<domain> → lib/core, lib/db
 * lib/server is the only code that imports next/*, auth.ts or the environment, and the only
 * production code that reaches lib/demo. Tests and scripts may reach anything.
 */
const TESTS = "(\\.test\\.tsx?$|^e2e/|^lib/testing/|^scripts/)";
const DOMAIN = "^lib/(?!server/|core/|db/|testing/|demo/|i18n/)[^/]+/";

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "No import cycles (type-only imports included).",
      from: { pathNot: TESTS },
      to: { circular: true },
    },
    {
      name: "core-imports-no-domain",
      severity: "error",
      comment: "lib/core is the vocabulary below every domain: it imports only itself (and packages).",
      from: { path: "^lib/core/", pathNot: TESTS },
      to: { path: "^(lib/(?!core/)|app/|pages/|components/|auth\\.ts)" },
    },
    {
      name: "db-imports-no-domain",
      severity: "error",
      comment: "lib/db (schema, drivers, types) sits below the domains.",
      from: { path: "^lib/db/", pathNot: TESTS },
      to: { path: "^(lib/(?!db/|core/)|app/|pages/|components/|auth\\.ts)" },
    },
    {
      name: "domain-not-server",
      severity: "error",
      comment: "A domain folder never imports lib/server, app/, pages/, components/ or auth.ts.",
      from: { path: DOMAIN, pathNot: TESTS },
      to: { path: "^(lib/server/|app/|pages/|components/|auth\\.ts)" },
    },
    {
      name: "domain-not-next",
      severity: "error",
      comment: "A domain folder never imports next/* or next-auth: only lib/server does.",
      from: { path: DOMAIN, pathNot: TESTS },
      to: { path: "(^|/)node_modules/(next|next-auth)/" },
    },
    {
      name: "demo-only-through-server",
      severity: "error",
      comment: "Production code reaches the demo upstream and seeds only through the composition root.",
      from: { path: "^(lib/(?!server/|demo/)|app/|pages/|components/)", pathNot: TESTS },
      to: { path: "^lib/demo/" },
    },
    {
      name: "testing-only-from-tests",
      severity: "error",
      comment: "lib/testing is for tests, benchmarks and scripts.",
      from: { pathNot: TESTS },
      to: { path: "^lib/testing/" },
    },
    {
      name: "components-not-db",
      severity: "error",
      comment: "Presentational components never import the database layer.",
      from: { path: "^components/" },
      to: { path: "^lib/(db|server)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(\\.next|\\.next-e2e|\\.data|node_modules/\\.cache)" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
