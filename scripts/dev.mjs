#!/usr/bin/env node
// `npm run dev`: the app on the embedded database, the in-app demo upstream and console SMS.
// Demo mode is opt-in everywhere else; the dev script asks for it (DEMO_MODE=false turns it off).
import { spawn } from "node:child_process";

const args = ["next", "dev"];
const i = process.argv.indexOf("-p");
const port = i > 0 ? process.argv[i + 1] : process.env.PORT || "3000";
args.push("-p", port);
const child = spawn("npx", args, { stdio: "inherit", env: { ...process.env, DEMO_MODE: process.env.DEMO_MODE || "true", AUTH_TRUST_HOST: "true" } });
child.on("exit", (code) => process.exit(code ?? 0));
