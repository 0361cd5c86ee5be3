#!/usr/bin/env node
// Web performance on a production build, printed as one JSON line:
//   - first-load JS per route (the scripts its HTML loads), raw and gzip, and its ratio to /floor,
//     a bare page of the same build (no providers, no components);
//   - Lighthouse 12 mobile defaults (median of 3 by performance score): performance and
//     accessibility scores, LCP, TBT and the machine's benchmarkIndex;
//   - a 3,000-token reply streamed at 80 tok/s on a phone viewport at 4× CPU throttling (CDP):
//     long tasks, TBT, frames per second, composer keystroke latency, long-task time per quarter;
//   - a 200-message conversation opened and scrolled at 4× CPU: its longest tasks, opened as a new
//     page and from another chat page through the app's router (BENCH_LONG=0 skips).
// BENCH_SKIP_BUILD=1 reuses the last build; BENCH_RUNS sets the Lighthouse runs per route (3).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { demoAppEnv, signInDemo } from "./bench-shared.mjs";

const port = Number(process.env.BENCH_PORT || 3310);
const base = `http://127.0.0.1:${port}`;
const distDir = process.env.BENCH_DIST_DIR || ".next-perf";
const pgliteDir = process.env.BENCH_PGLITE_DIR || ".data/pglite-perf";
const runs = Number(process.env.BENCH_RUNS || 3);
// BENCH_LH_DIR keeps every Lighthouse report (JSON) there, to read its diagnostics (bootup-time,
// mainthread-work-breakdown, long-tasks); BENCH_ROUTES (comma-separated, e.g. "/floor,/models")
// limits the Lighthouse runs to those routes.
const lhDir = process.env.BENCH_LH_DIR || null;
const lhRoutes = process.env.BENCH_ROUTES ? process.env.BENCH_ROUTES.split(",") : null;
const chrome = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"].find((p) => existsSync(p));
const chromeFlags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"];
const log = (...a) => console.error("[bench:web]", ...a);

const env = demoAppEnv({ NEXT_DIST_DIR: distDir, PGLITE_DIR: pgliteDir });

if (!process.env.BENCH_SKIP_BUILD) {
  log("building", distDir);
  execFileSync("npx", ["next", "build"], { stdio: ["ignore", "ignore", "inherit"], env });
}
rmSync(pgliteDir, { recursive: true, force: true });
const server = spawn(process.execPath, ["server.mjs", "-p", String(port), "-H", "127.0.0.1"], { stdio: ["ignore", "ignore", "inherit"], env, detached: true });
const stopServer = () => {
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    // already gone
  }
};
process.on("exit", stopServer);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(1));

async function waitHealthy() {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("server did not start");
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null;
};
const round = (x, d = 0) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);

/** The scripts a route's HTML loads before it is interactive, deduplicated. */
async function firstLoadJs(path, cookie) {
  const html = await (await fetch(`${base}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" })).text();
  const urls = new Set();
  // nomodule scripts (legacy polyfills) are never loaded by a browser that runs the app's modules.
  for (const m of html.matchAll(/<script([^>]*)\ssrc="([^"]+)"/g)) if (!/\snoModule|\snomodule/.test(m[1] + m[0])) urls.add(m[2]);
  for (const m of html.matchAll(/<link[^>]*rel="preload"[^>]*as="script"[^>]*href="([^"]+)"|<link[^>]*href="([^"]+)"[^>]*as="script"/g)) urls.add(m[1] || m[2]);
  let raw = 0;
  let gzip = 0;
  for (const u of urls) {
    const body = Buffer.from(await (await fetch(new URL(u.replaceAll("&amp;", "&"), base))).arrayBuffer());
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
  }
  return { scripts: urls.size, raw_kb: round(raw / 1024, 1), gzip_kb: round(gzip / 1024, 1) };
}

function lighthouse(url, cookie, name) {
  const args = [
    "node_modules/lighthouse/cli/index.js",
    url,
    "--only-categories=performance,accessibility",
    "--output=json",
    "--output-path=stdout",
    "--quiet",
    `--chrome-flags=${chromeFlags.join(" ")}`,
  ];
  if (cookie) args.push(`--extra-headers=${JSON.stringify({ Cookie: cookie })}`);
  const out = execFileSync("node", args, { env: { ...process.env, CHROME_PATH: chrome }, maxBuffer: 256 * 1024 * 1024 });
  const lhr = JSON.parse(out.toString());
  if (lhDir && name) {
    mkdirSync(lhDir, { recursive: true });
    writeFileSync(`${lhDir}/${name}.json`, out);
  }
  return {
    performance: Math.round(lhr.categories.performance.score * 100),
    accessibility: Math.round(lhr.categories.accessibility.score * 100),
    lcp_ms: round(lhr.audits["largest-contentful-paint"].numericValue),
    tbt_ms: round(lhr.audits["total-blocking-time"].numericValue),
    benchmark_index: round(lhr.environment.benchmarkIndex),
    failing_a11y: Object.values(lhr.audits)
      .filter((a) => lhr.categories.accessibility.auditRefs.some((r) => r.id === a.id && r.weight > 0) && a.score === 0)
      .map((a) => a.id),
  };
}

/** Streams a long reply on a phone viewport at 4× CPU, typing into the composer meanwhile. */
async function streaming(context, { tokens = 3000, tps = 80 } = {}) {
  await context.addCookies([
    { name: "demo_knobs", value: encodeURIComponent(JSON.stringify({ "x-demo-tokens": tokens, "x-demo-tps": tps, "x-demo-ttft-ms": 300 })), url: base },
  ]);
  const page = await context.newPage();
  await page.goto(`${base}/chat`);
  await page.getByTestId("composer-input").waitFor();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await page.evaluate(() => {
    const w = window;
    w.__bench = { longTasks: [], frames: [], events: new Map() };
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__bench.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: false });
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        if (!e.interactionId) continue;
        w.__bench.events.set(e.interactionId, Math.max(w.__bench.events.get(e.interactionId) ?? 0, e.duration));
      }
    }).observe({ type: "event", durationThreshold: 16, buffered: false });
    const tick = (t) => {
      w.__bench.frames.push(t);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.getByTestId("composer-input").fill("写一篇关于人工智能发展历程的长文");
  await page.getByTestId("send-button").click();
  const reply = page.getByTestId("message-assistant").last();
  await reply.getByTestId("reply-text").waitFor({ timeout: 60_000 });
  const start = await page.evaluate(() => performance.now());
  // Keystrokes while the reply streams: one every 400 ms, as a person typing the next question.
  const composer = page.getByTestId("composer-input");
  await composer.focus();
  let keys = 0;
  while ((await reply.getAttribute("data-status")) === "streaming") {
    await page.keyboard.press(keys % 10 === 9 ? "Backspace" : "a");
    keys++;
    await page.waitForTimeout(400);
  }
  const end = await page.evaluate(() => performance.now());
  await page.waitForTimeout(500); // let the observers deliver
  const data = await page.evaluate(() => ({ ...window.__bench, events: [...window.__bench.events.values()] }));
  const chars = ((await reply.getByTestId("reply-text").textContent()) ?? "").length;
  const cost = await reply.getAttribute("data-cost");
  const scroll = await page.getByTestId("message-list").evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await page.close();

  const inStream = data.longTasks.filter((t) => t.start >= start && t.start < end);
  const quarter = (end - start) / 4;
  const quarters = [0, 1, 2, 3].map((q) =>
    round(inStream.filter((t) => t.start >= start + q * quarter && t.start < start + (q + 1) * quarter).reduce((s, t) => s + t.duration, 0)),
  );
  const frames = data.frames.filter((t) => t >= start && t < end);
  return {
    plan_tokens_charged: cost ? Number(cost) : null,
    chars: chars,
    seconds: round((end - start) / 1000, 1),
    long_tasks: inStream.length,
    long_task_max_ms: round(Math.max(0, ...inStream.map((t) => t.duration))),
    tbt_ms: round(inStream.reduce((s, t) => s + Math.max(0, t.duration - 50), 0)),
    fps: round(frames.length / ((end - start) / 1000), 1),
    keystrokes: keys,
    // Event Timing reports interactions of 16 ms or more; the others count as 16 ms (an upper bound).
    keystroke_p90_ms: round(pct([...data.events, ...Array(Math.max(0, keys - data.events.length)).fill(16)], 90)),
    keystroke_max_ms: round(Math.max(0, ...data.events)),
    long_task_ms_per_quarter: quarters,
    left_from_bottom_px: round(scroll),
  };
}

/** A conversation of `messages` messages (sent through the UI, short instant replies), then opened and scrolled at 4× CPU. */
async function longConversation(context, { messages = 200 } = {}) {
  await context.addCookies([
    { name: "demo_knobs", value: encodeURIComponent(JSON.stringify({ "x-demo-tokens": 60, "x-demo-tps": 0, "x-demo-ttft-ms": 0 })), url: base },
  ]);
  const page = await context.newPage();
  await page.goto(`${base}/chat`);
  for (let i = 0; i < messages / 2; i++) {
    await page.getByTestId("composer-input").fill(`第 ${i + 1} 个问题：讲讲人工智能`);
    await page.getByTestId("send-button").click();
    await page.waitForFunction((n) => {
      const r = document.querySelectorAll('[data-testid="message-assistant"]');
      return r.length === n && r[n - 1].getAttribute("data-status") !== "streaming";
    }, i + 1);
  }
  const url = page.url();
  await page.close();
  const watched = async () => {
    const p = await context.newPage();
    await p.addInitScript(() => {
      window.__long = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__long.push(e.duration);
      }).observe({ type: "longtask", buffered: true });
    });
    const c = await context.newCDPSession(p);
    await c.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    return [p, c];
  };
  // The reference in the same run: an empty new chat opened the same way, in a page of its own (the
  // framework's and the chat screen's start, without the conversation).
  const [empty] = await watched();
  await empty.goto(`${base}/chat`);
  await empty.getByTestId("composer-input").waitFor();
  await empty.waitForTimeout(1000);
  const emptyOpen = await empty.evaluate(() => [...window.__long]);
  await empty.close();
  // And the bare floor page (the framework alone), opened the same way.
  const [floorPage] = await watched();
  await floorPage.goto(`${base}/floor`);
  await floorPage.waitForTimeout(1000);
  const floorOpen = await floorPage.evaluate(() => [...window.__long]);
  await floorPage.close();
  const [view, cdp] = await watched();
  const t0 = Date.now();
  await view.goto(url);
  await view
    .getByTestId("message-assistant")
    .nth(messages / 2 - 1)
    .waitFor();
  const openMs = Date.now() - t0;
  await view.waitForTimeout(1000);
  const opened = await view.evaluate(() => [...window.__long]);
  const list = view.getByTestId("message-list");
  const box = await list.boundingBox();
  await view.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 40; i++) {
    await view.mouse.wheel(0, -600);
    await view.waitForTimeout(50);
  }
  await view.waitForTimeout(500);
  const all = await view.evaluate(() => [...window.__long]);
  const scrolled = all.slice(opened.length);
  // Opened the way a reader opens it: from another page of the chat, already loaded, through the
  // app's router (a tap in the conversation list), so the framework's own start is not counted.
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await view.goto(`${base}/chat`);
  await view.getByTestId("composer-input").waitFor();
  await view.waitForTimeout(2000);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await view.evaluate(() => void (window.__long.length = 0));
  const t1 = Date.now();
  await view.evaluate((u) => window.next.router.push(u), new URL(url).pathname);
  await view
    .getByTestId("message-assistant")
    .nth(messages / 2 - 1)
    .waitFor();
  const inAppMs = Date.now() - t1;
  await view.waitForTimeout(1000);
  const inApp = await view.evaluate(() => [...window.__long]);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await view.close();
  await context.clearCookies({ name: "demo_knobs" });
  return {
    messages,
    open_ms: openMs,
    open_long_task_max_ms: round(Math.max(0, ...opened)),
    empty_chat_open_long_task_max_ms: round(Math.max(0, ...emptyOpen)),
    floor_open_long_task_max_ms: round(Math.max(0, ...floorOpen)),
    scroll_long_tasks: scrolled.length,
    scroll_long_task_max_ms: round(Math.max(0, ...scrolled)),
    open_in_app_ms: inAppMs,
    open_in_app_long_tasks: inApp.length,
    open_in_app_long_task_max_ms: round(Math.max(0, ...inApp)),
  };
}

await waitHealthy();
log("server up on", base);
const browser = await chromium.launch({ executablePath: chrome, args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"] });
const context = await signInDemo(browser, base, "13800000001");
const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
const billsHtml = await (await fetch(`${base}/bills`, { headers: { cookie } })).text();
const billId = billsHtml.match(/href="\/bills\/([0-9a-f-]{36})/)?.[1];
if (!billId) throw new Error("no bill to open on /bills");

const routes = ["/floor", "/login", "/chat", "/models", "/plans", "/bills", `/bills/${billId}`];
const label = (r) => (r.startsWith("/bills/") ? "/bills/[id]" : r);
const js = {};
for (const r of routes) js[label(r)] = await firstLoadJs(r, r === "/login" || r === "/floor" ? null : cookie);
const floor = js["/floor"].gzip_kb;
for (const r of Object.keys(js)) js[r].ratio = round(js[r].gzip_kb / floor, 2);
log("first-load JS", JSON.stringify(js));

const lh = {};
// The floor page too: what Lighthouse gives the framework alone on this machine is the reference
// each route's score and TBT are read against.
for (const r of runs > 0 ? routes.filter((x) => x !== "/plans" && (!lhRoutes || lhRoutes.includes(label(x)))) : []) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    try {
      const name = `${label(r)
        .slice(1)
        .replace(/[^a-z0-9]+/gi, "-")}-${i + 1}`;
      results.push(lighthouse(`${base}${r}`, r === "/login" || r === "/floor" ? null : cookie, name));
    } catch (err) {
      log("lighthouse failed on", r, String(err).slice(0, 300));
    }
  }
  if (!results.length) continue;
  const byPerf = [...results].sort((a, b) => a.performance - b.performance);
  const mid = byPerf[Math.floor((byPerf.length - 1) / 2)];
  lh[label(r)] = {
    ...mid,
    performance_runs: results.map((x) => x.performance),
    lcp_ms: median(results.map((x) => x.lcp_ms)),
    tbt_ms: median(results.map((x) => x.tbt_ms)),
  };
  log("lighthouse", label(r), JSON.stringify(lh[label(r)]));
}

const stream = process.env.BENCH_STREAM === "0" ? null : await streaming(context).catch((e) => ({ error: String(e).slice(0, 300) }));
log("streaming", JSON.stringify(stream));
const long = process.env.BENCH_LONG === "0" ? null : await longConversation(context).catch((e) => ({ error: String(e).slice(0, 300) }));
log("long conversation", JSON.stringify(long));
await browser.close();

const routesOut = {};
for (const r of Object.keys(js)) routesOut[r] = { js: js[r], ...(lh[r] ? { lighthouse: lh[r] } : {}) };
console.log(JSON.stringify({ floor_gzip_kb: floor, routes: routesOut, streaming: { cpu_throttle: 4, tps: 80, ...stream }, long_conversation: long }));
stopServer();
process.exit(0);
