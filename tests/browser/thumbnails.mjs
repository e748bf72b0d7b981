// The player page's seek bar shows the title's thumbnails while scrubbing:
// opens the page on a (signed) master in Debian's chromium, waits for the
// thumbnails track to be parsed, hovers the seek bar at a point and checks
// the preview shows the cue of that time (its sheet loaded as an image, the
// crop where the cue says).
// Usage: node thumbnails.mjs PLAYER_PAGE_URL HLS_URL SECONDS
import { runInChromium } from "./chromium.mjs";

const [page_url, src, at] = process.argv.slice(2);
await runInChromium(async (browser, fail) => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${page_url}?src=${encodeURIComponent(src)}`);
  await page.waitForFunction(() => window.playerState.thumbnails.cues > 0, null, { timeout: 30000 });
  await page.waitForFunction(() => isFinite(document.querySelector("video").duration), null, { timeout: 60000 });
  const d = await page.evaluate(() => document.querySelector("video").duration);
  const box = await page.locator("#seek").boundingBox();
  await page.mouse.move(box.x + (box.width * parseFloat(at)) / d, box.y + box.height / 2);
  const shown = await page.evaluate(() => {
    const t = document.getElementById("thumb"), s = getComputedStyle(t);
    return { display: s.display, image: s.backgroundImage, position: s.backgroundPosition, width: s.width,
             height: s.height, cue: window.playerState.thumbnails.shown };
  });
  console.log(`hover at ${at} s of ${d.toFixed(1)} s: ${JSON.stringify(shown)}`);
  if (shown.display !== "block") fail("no preview over the seek bar");
  const m = /#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(shown.cue || "");
  if (!m) fail(`the preview names no tile: ${shown.cue}`);
  else {
    const neg = (v) => (v === "0" ? "0px" : `-${v}px`);  // the browser writes -0px as 0px
    if (shown.position !== `${neg(m[1])} ${neg(m[2])}`) fail(`crop ${shown.position}, the cue says ${m[1]},${m[2]}`);
    if (shown.width !== `${m[3]}px` || shown.height !== `${m[4]}px`) fail(`preview ${shown.width}x${shown.height}`);
  }
  // The sheet decodes as an image in the browser, at its full size.
  const url = /url\("(.*)"\)/.exec(shown.image)?.[1];
  const size = await page.evaluate((u) => new Promise((ok) => {
    const img = new Image();
    img.onload = () => ok(`${img.naturalWidth}x${img.naturalHeight}`);
    img.onerror = () => ok("error");
    img.src = u;
  }), url);
  console.log(`sheet ${url ? url.split("/").pop() : "?"}: ${size}`);
  if (!/^\d+x\d+$/.test(size)) fail(`the sheet does not load as an image: ${size}`);
});
