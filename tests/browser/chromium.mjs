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
