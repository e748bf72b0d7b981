// Plays an HLS URL in Debian's chromium with hls.js: from 0, then after a
// seek to 80 %. Fails on any hls.js error or a lack of progress. A stall
// (bufferStalledError: the buffer ran dry while a cold segment was being
// made) is reported with where it happened, and fails the run when
// --no-stall is given (e.g. once the segments are cached).
// --readout=made|cache: the page's live readout (the demo's player page)
// must show at least one segment of that kind: made while the player waited,
// or from the cache.
// --switch-audio: after the level switch, select the second audio track (an
// EXT-X-MEDIA alternate) and keep playing.
// --cues=SECONDS=TEXT,...: with the first subtitle track on, each TEXT must
// be a cue of the player's text track starting at SECONDS (within 0.1 s).
// Usage: node play.mjs PLAYER_PAGE_URL [HLS_URL] [--switch-level[=N|next]] [--switch-audio] [--cues=...] [--no-stall] [--readout=KIND]
//   (without HLS_URL, PLAYER_PAGE_URL already carries ?src=)
import { runInChromium } from "./chromium.mjs";

const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const [page_url, src] = positional;
const switchArg = process.argv.find((a) => a === "--switch-level" || a.startsWith("--switch-level="));
const switchLevel = Boolean(switchArg);
// --switch-level=N: to level N; =next: to the level after the one playing.
const switchTo = switchArg && switchArg.includes("=") ? switchArg.split("=")[1] : "0";
const noStall = process.argv.includes("--no-stall");
const readoutArg = process.argv.find((a) => a.startsWith("--readout="));
const readout = readoutArg ? readoutArg.slice(10) : "";
const switchAudio = process.argv.includes("--switch-audio");
const cuesArg = process.argv.find((a) => a.startsWith("--cues="));
const wantedCues = cuesArg ? cuesArg.slice(7).split(",").map((c) => {
  const [t, text] = c.split("=");
  return { t: parseFloat(t), text };
}) : [];
await runInChromium(async (browser, fail) => {
  const page = await browser.newPage();
  page.on("console", (m) => {
    // Failed loads show up as hls.js errors; the rest (the favicon) is noise.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) console.log("console: " + m.text());
  });
  await page.goto(src ? `${page_url}?src=${encodeURIComponent(src)}` : page_url);
  const state = () => page.evaluate(() => ({ ...window.playerState, t: document.querySelector("video").currentTime,
    d: document.querySelector("video").duration, paused: document.querySelector("video").paused }));
  // Progress: currentTime must pass `target` within `seconds`.
  async function reach(target, seconds, what) {
    const t0 = Date.now();
    while (Date.now() - t0 < seconds * 1000) {
      const s = await state();
      if (s.fatal) return fail(`${what}: fatal hls.js error ${s.fatal}`), s;
      if (s.t >= target) return s;
      await new Promise((r) => setTimeout(r, 200));
    }
    const s = await state();
    fail(`${what}: stalled at ${s.t.toFixed(2)} s (wanted ${target.toFixed(2)} s), errors ${JSON.stringify(s.errors)}`);
    return s;
  }
  if (wantedCues.length) {
    await page.waitForFunction(() => window.playerState.ready, null, { timeout: 60000 });
    await page.evaluate(() => { window.hls.subtitleDisplay = true; window.hls.subtitleTrack = 0; });
  }
  let s = await reach(2.0, 90, "play from 0");
  console.log(`played from 0 to ${s.t.toFixed(2)} s of ${s.d.toFixed(2)} s (${s.levels} levels)`);
  if (switchLevel && s.levels > 1) {
    await page.evaluate((n) => {
      window.hls.currentLevel = n === "next" ? (window.hls.currentLevel + 1) % window.hls.levels.length : Number(n);
    }, switchTo);
    s = await reach(s.t + 3, 90, "after a forced level switch");
    console.log(`switched level: ${JSON.stringify(s.levelSwitches)} at ${s.t.toFixed(2)} s`);
  }
  if (switchAudio) {
    if (s.audioTracks < 2) fail(`${s.audioTracks} audio track(s), wanted an alternate to switch to`);
    else {
      await page.evaluate(() => { window.hls.audioTrack = 1; });
      s = await reach(s.t + 3, 90, "after an audio track switch");
      console.log(`switched audio: ${JSON.stringify(s.audioSwitches)} at ${s.t.toFixed(2)} s`);
      if (!(s.audioSwitches || []).includes(1)) fail("hls.js never switched to audio track 1");
    }
  }
  const target = s.d * 0.8;
  await page.evaluate((t) => { document.querySelector("video").currentTime = t; }, target);
  s = await reach(target + 1.5, 90, "after a seek to 80 %");
  console.log(`seeked to ${target.toFixed(2)} s, playing at ${s.t.toFixed(2)} s`);
  if (wantedCues.length) {
    // Cues land in the text track once their WebVTT segments are loaded.
    const t0 = Date.now();
    let cues = [];
    for (;;) {
      cues = await page.evaluate(() => Array.from(document.querySelector("video").textTracks)
        .flatMap((tr) => Array.from(tr.cues || []).map((c) => ({ t: c.startTime, text: c.text }))));
      const missing = wantedCues.filter((w) => !cues.some((c) => c.text === w.text && Math.abs(c.t - w.t) <= 0.1));
      if (!missing.length) { console.log(`subtitle cues at their times: ${JSON.stringify(cues)}`); break; }
      if (Date.now() - t0 > 30000) { fail(`subtitle cues ${JSON.stringify(missing)} not among ${JSON.stringify(cues)}`); break; }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const errors = (await state()).errors;
  const stalls = errors.filter((e) => e === "mediaError/bufferStalledError");
  const others = errors.filter((e) => e !== "mediaError/bufferStalledError");
  if (stalls.length) console.log(`${stalls.length} stall(s) while segments were being made: ${JSON.stringify((await state()).errorTimes)}`);
  if (others.length) fail(`hls.js reported errors: ${JSON.stringify(others)}`);
  if (noStall && stalls.length) fail("stalled although every segment was made ahead");
  if (readout) {
    const segs = (await state()).segments || {};
    const kinds = Object.values(segs);
    console.log(`readout: ${kinds.filter((k) => k === "made").length} made while waiting, ` +
                `${kinds.filter((k) => k === "cache").length} from cache`);
    if (!kinds.includes(readout)) fail(`readout shows no "${readout}" segment: ${JSON.stringify(segs)}`);
  }
});
