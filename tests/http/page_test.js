// Drives the web page of a running server in Debian's headless Chromium through playwright-core.
//   node page_test.js BASE_URL SAMPLE_TXT OUT_DIR
// Prints one JSON object of findings on the last line of stdout (the pytest in test_http.py judges them) and
// saves screenshots into OUT_DIR: http-page.png (after analyzing the sample), http-page-narrow.png (360 px wide),
// http-page-tree.png (the dependency tree of a sentence).
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const [base, samplePath, outDir] = process.argv.slice(2);
const out = {};

async function analyzeAndWait(page, timeout) {
  await page.getByRole('button', { name: 'Analyze' }).click();
  await page.waitForFunction(() => {
    const p = document.getElementById('progress').textContent;
    return p.startsWith('Done') || !document.getElementById('error').hidden;
  }, null, { timeout });
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  await page.goto(base + '/', { waitUntil: 'load' });
  await page.waitForSelector('input[name=feature]', { timeout: 10000 });
  out.features = await page.$$eval('input[name=feature]', (xs) => xs.map((x) => x.value));

  // 1. The sample: the person is highlighted, three summary sentences are marked, sentences are tinted.
  const sample = fs.readFileSync(samplePath, 'utf8');
  await page.locator('#text').fill(sample);
  await analyzeAndWait(page, 60000);
  out.error_after_sample = await page.$eval('#error', (e) => (e.hidden ? '' : e.textContent));
  out.person_marks = await page.$$eval('mark.ent', (ms) => ms
    .filter((m) => m.textContent === 'Hassoumi Massoudou').map((m) => m.dataset.type + ' ' + m.className));
  out.summary_marked = await page.$$eval('#doc .sent.summary', (xs) => xs.length);
  out.summary_text = await page.$eval('#summary-text', (e) => e.textContent);
  out.tinted_sentences = await page.$$eval('#doc .sent.pos, #doc .sent.neg', (xs) => xs.length);
  out.run_statuses = await page.$$eval('#runs tbody tr', (rows) => rows.map((r) => [...r.cells].slice(0, 4).map((c) => c.textContent)));
  // Syntax was not ticked: the page says so instead of drawing a tree.
  out.syntax_note_without = await page.$eval('#syntax-note', (e) => e.textContent);
  out.tree_shown_without = await page.$$eval('#tree', (xs) => xs.length);
  // The text on the page is the document, unchanged.
  out.text_preserved = (await page.$eval('#doc', (d) => d.textContent)) === sample;

  // Hover shows the details of the entity.
  const mark = page.locator('mark.ent[data-type=PERSON]', { hasText: 'Hassoumi Massoudou' }).first();
  await mark.hover();
  out.tooltip = await page.$eval('#tip', (t) => (t.hidden ? '' : t.textContent));

  // The entity table sorts by salience both ways (buttons in the headers).
  const saliences = () => page.$$eval('#entities tbody tr', (rows) => rows.map((r) => Number(r.cells[2].textContent.trim().split(/\s/)[0])));
  out.salience_default = await saliences();
  await page.getByRole('button', { name: 'Salience' }).click();
  out.salience_after_click = await saliences();
  out.salience_sort = await page.$eval('#entities th[data-key=salience]', (th) => th.getAttribute('aria-sort'));
  await page.getByRole('button', { name: 'Salience' }).click();

  await page.screenshot({ path: path.join(outDir, 'http-page.png'), fullPage: true });

  // 2. Keyboard only: Tab from the entity name buttons moves through mentions; Ctrl+Enter in the text analyzes.
  await page.locator('#entities tbody button').first().focus();
  await page.keyboard.press('Enter');
  out.keyboard_jump = await page.evaluate(() => {
    const a = document.activeElement;
    return a && a.tagName === 'MARK' ? a.textContent : '';
  });

  // 3. A bad request shows the server's own error message.
  await page.locator('#extra-features').fill('no-such-feature');
  await page.locator('#text').focus();
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('#error:not([hidden])', { timeout: 20000 });
  out.error_shown = await page.$eval('#error', (e) => e.textContent);
  out.error_from_server = await page.evaluate(async (text) => {
    const r = await fetch('/v1/documents:analyze', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ document: { content: text }, features: ['no-such-feature'] }) });
    return (await r.json()).error.message;
  }, 'x');
  await page.locator('#extra-features').fill('');

  // 4. A narrow window: nothing wider than the screen.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.locator('#text').fill(sample);
  await analyzeAndWait(page, 60000);
  out.narrow_overflow_px = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.screenshot({ path: path.join(outDir, 'http-page-narrow.png'), fullPage: false });
  await page.setViewportSize({ width: 1280, height: 900 });

  // 5. A 1 MiB document: the tab stays responsive (longest main-thread task while analyzing and rendering).
  const big = await page.evaluate((s) => {
    const enc = new TextEncoder();
    const unit = s + '\n\n';
    const n = Math.floor((1 << 20) / enc.encode(unit).length);
    const text = unit.repeat(n);
    const ta = document.getElementById('text');
    ta.value = text;
    ta.dispatchEvent(new Event('input'));
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: false });
    return { bytes: enc.encode(text).length, chars: text.length };
  }, sample);
  out.big_bytes = big.bytes;
  const t0 = Date.now();
  await analyzeAndWait(page, 180000);
  out.big_seconds = (Date.now() - t0) / 1000;
  out.big_error = await page.$eval('#error', (e) => (e.hidden ? '' : e.textContent));
  out.big_longest_task_ms = await page.evaluate(() => window.__longest);
  out.big_marks = await page.$$eval('#doc mark.ent', (xs) => xs.length);
  out.big_text_preserved = await page.evaluate(() => document.getElementById('doc').textContent === document.getElementById('text').value);

  // 6. Syntax: a short text with the syntax feature ticked; the first sentence's dependency tree is drawn (one word
  // group per word, an arc per dependent, a root arrow per root, relation labels and UPOS tags), then the second's.
  await page.locator('#text').fill('The cat sat on the mat. She has two dogs.');
  await page.check('input[name=feature][value=syntax]');
  await analyzeAndWait(page, 60000);
  out.tree_error = await page.$eval('#error', (e) => (e.hidden ? '' : e.textContent));
  await page.waitForSelector('#tree', { timeout: 10000 });
  const tree = () => page.evaluate(() => ({
    words: [...document.querySelectorAll('#tree g.word')].map((g) => g.querySelector('text').textContent),
    tags: [...document.querySelectorAll('#tree text.tag')].map((t) => t.textContent),
    arcs: document.querySelectorAll('#tree path.arc').length,
    roots: document.querySelectorAll('#tree path.root-arc').length,
    labels: [...document.querySelectorAll('#tree text.label')].map((t) => t.textContent),
    box: (() => { const r = document.getElementById('tree').getBoundingClientRect(); return [r.width, r.height]; })(),
  }));
  out.tree_sentences = await page.$$eval('#tree-sentence option', (xs) => xs.map((x) => x.textContent));
  out.tree_first = await tree();
  out.syntax_note_with = await page.$eval('#syntax-note', (e) => e.textContent);
  await page.locator('#tree-wrap').screenshot({ path: path.join(outDir, 'http-page-tree.png') });
  await page.selectOption('#tree-sentence', '1');
  out.tree_second = await tree();

  out.external_requests = external;
  out.console_errors = consoleErrors;
  await browser.close();
  console.log(JSON.stringify(out));
})().catch((e) => {
  out.fatal = String(e && e.stack || e);
  console.log(JSON.stringify(out));
  process.exit(1);
});
