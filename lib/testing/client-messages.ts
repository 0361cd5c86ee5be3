import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * Which message paths the client components reachable from some entry files use. A file is client
 * code when it says "use client" or is imported (statically or with import()) by client code; a
 * "use server" file is a call to the server and is not followed. Only `import type` is skipped.
 */
export type ClientUse = { file: string; path: string };
export type ClientScan = { uses: ClientUse[]; problems: string[]; clientFiles: string[] };

const ROOT = path.resolve(import.meta.dirname, "../..");
const EXTENSIONS = ["", ".tsx", ".ts", "/index.tsx", "/index.ts"];
/** The one hook that builds its namespace from its argument: its callers name the namespace. */
const FAILURE_HOOK = "components/use-failure-text.ts";
/** The provider that lays a route's messages over its parent's reads the parent's, adding none. */
const MERGING_PROVIDER = "components/intl-more.tsx";

function resolveImport(spec: string, from: string): string | null {
  const base = spec.startsWith("@/") ? path.join(ROOT, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(from), spec) : null;
  if (!base) return null;
  for (const ext of EXTENSIONS) {
    const p = base + ext;
    if (existsSync(p) && statSync(p).isFile() && /\.tsx?$/.test(p)) return p;
  }
  return null;
}

type Parsed = { directive: "client" | "server" | null; imports: string[]; uses: string[]; problems: string[] };
const cache = new Map<string, Parsed>();

function parse(file: string): Parsed {
  const hit = cache.get(file);
  if (hit) return hit;
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const rel = path.relative(ROOT, file);
  const out: Parsed = { directive: null, imports: [], uses: [], problems: [] };
  for (const st of source.statements) {
    if (!ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression)) break;
    if (st.expression.text === "use client") out.directive = "client";
    if (st.expression.text === "use server") out.directive = "server";
  }
  const literal = (n: ts.Node | undefined) => (n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) ? n.text : null);
  const visit = (n: ts.Node) => {
    if (ts.isImportDeclaration(n) && !n.importClause?.isTypeOnly) out.imports.push(literal(n.moduleSpecifier)!);
    if (ts.isExportDeclaration(n) && n.moduleSpecifier && !n.isTypeOnly) out.imports.push(literal(n.moduleSpecifier)!);
    if (ts.isCallExpression(n)) {
      const arg = n.arguments[0];
      if (n.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const spec = literal(arg);
        if (spec) out.imports.push(spec);
        else out.problems.push(`${rel}: import() of a computed path`);
      }
      const callee = ts.isIdentifier(n.expression) ? n.expression.text : null;
      if (callee === "useTranslations" && rel !== FAILURE_HOOK) {
        const ns = literal(arg);
        if (ns) out.uses.push(ns);
        else out.problems.push(`${rel}: useTranslations(${arg ? arg.getText() : ""}) names no namespace`);
      }
      if (callee === "useFailureText" && n.arguments.length > 0) {
        const ns = literal(arg);
        if (ns) out.uses.push(`${ns}.errors`, "errors");
        else out.problems.push(`${rel}: useFailureText(${arg.getText()}) names no namespace`);
      } else if (callee === "useFailureText") out.uses.push("errors");
      if (callee === "useMessages" && rel !== MERGING_PROVIDER) out.problems.push(`${rel}: useMessages() reads every namespace`);
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  cache.set(file, out);
  return out;
}

/** Walks from `entries` (paths relative to the repository) and lists what client code translates. */
export function scanClientMessages(entries: string[]): ClientScan {
  const seen = new Map<string, boolean>(); // file → reached as client code
  const uses: ClientUse[] = [];
  const problems: string[] = [];
  const stack: [string, boolean][] = entries.map((e) => [path.join(ROOT, e), false]);
  while (stack.length) {
    const [file, fromClient] = stack.pop()!;
    const parsed = parse(file);
    if (parsed.directive === "server") continue;
    const client = fromClient || parsed.directive === "client";
    if (seen.has(file) && (seen.get(file) || !client)) continue;
    seen.set(file, client);
    const rel = path.relative(ROOT, file);
    if (client) {
      for (const p of parsed.uses) uses.push({ file: rel, path: p });
      problems.push(...parsed.problems);
    }
    for (const spec of parsed.imports) {
      const next = resolveImport(spec, file);
      if (next) stack.push([next, client]);
    }
  }
  const clientFiles = [...seen].filter(([, c]) => c).map(([f]) => path.relative(ROOT, f));
  return { uses, problems, clientFiles: clientFiles.sort() };
}

/** Whether `sent` (message paths, e.g. "common" or "spend.balance") holds the path `needed`. */
export function covers(sent: readonly string[], needed: string): boolean {
  return sent.some((s) => needed === s || needed.startsWith(`${s}.`));
}
