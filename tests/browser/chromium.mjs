// Debian's chromium through playwright-core, started the same way by every
// browser test: headless, no sandbox (we run as root), no GPU, no QUIC, no
// background traffic, and media that may play without a click.
import { chromium } from "playwright-core";

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
  });
}

// Runs one browser test: `body(browser, fail)` with a launched chromium;
// `fail(msg)` prints a FAIL line and marks the run failed (the body goes on,
// so one run reports every failure). An exception fails the run too. The
// browser is closed whatever happens; prints PASS or FAIL and exits 0 or 1.
export async function runInChromium(body) {
  const browser = await launchChromium();
  let failed = false;
  const fail = (msg) => { console.log("FAIL " + msg); failed = true; };
  try {
    await body(browser, fail);
  } catch (e) {
    fail(String(e));
  } finally {
    await browser.close();
  }
  console.log(failed ? "FAIL" : "PASS");
  process.exit(failed ? 1 : 0);
}
