// The headers of pages and API answers, and the SPA working under its
// Content-Security-Policy (the console watch of fixtures/test fails on any
// violation).
import { createAccount, userOf } from './fixtures/api';
import { signInAs } from './fixtures/pages';
import { expect, test } from './fixtures/test';

test('pages forbid inline script and framing, and are revalidated', async ({ page }) => {
  const res = await page.goto('/sign-in');
  expect(res).not.toBeNull();
  const headers = res!.headers();
  const csp = headers['content-security-policy'];
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cache-control']).toBe('no-cache');
  // The page itself has no inline script.
  const inline = await page.locator('script:not([src])').count();
  expect(inline).toBe(0);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('hashed files are cached for a year and API answers never', async ({ page, request }) => {
  await page.goto('/sign-in');
  const stylesheet = await page.locator('link[rel="stylesheet"]').first().getAttribute('href');
  expect(stylesheet).toMatch(/-[0-9a-f]{16}\.css$/);
  const asset = await request.get(stylesheet!);
  expect(asset.status()).toBe(200);
  expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(asset.headers()['x-content-type-options']).toBe('nosniff');
  const api = await request.get('/api/catalog');
  expect(api.status()).toBe(200);
  expect(api.headers()['cache-control']).toBe('no-store');
  expect(api.headers()['content-security-policy']).toContain("default-src 'none'");
});

test('the portal runs under its policy from sign-in to every billing page', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  await expect(page.getByRole('heading', { level: 1, name: 'Plans & Billing' })).toBeVisible();
  // The seats meter is drawn through the CSSOM, which the policy allows.
  await expect(page.locator('.meter__fill')).toHaveAttribute('style', /width: \d+(\.\d+)?%/);
  for (const [path, heading] of [
    ['/billing/subscription', 'Manage subscription'],
    ['/billing/payment', 'Manage payment'],
    ['/billing/invoices', 'Invoices'],
    ['/billing/access', 'Billing access'],
    ['/billing/audit', 'Audit log'],
    ['/account/security', 'Sign-in & security'],
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  }
});

test('another site cannot frame the portal', async ({ browser, baseURL }) => {
  // A page of its own: the refusal is a console message the watch would count.
  const context = await browser.newContext();
  const page = await context.newPage();
  const refused: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('frame-ancestors')) refused.push(m.text());
  });
  await page.setContent(`<iframe title="portal" src="${baseURL}/sign-in"></iframe>`);
  await expect.poll(() => refused.length).toBeGreaterThan(0);
  await expect(page.frameLocator('iframe').getByRole('heading', { name: 'Sign in' })).toHaveCount(0);
  await context.close();
});
