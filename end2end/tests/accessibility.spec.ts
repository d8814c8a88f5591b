// Every page passes axe-core's WCAG 2.1 A and AA rules with no violation,
// as each role sees it, in the states a first visit finds it in.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/test';
import { createAccount, userOf } from './fixtures/api';
import { signInAs } from './fixtures/pages';

async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  // The rules ran over the page, not over an empty document.
  expect(results.passes.length, 'axe checked something').toBeGreaterThan(10);
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

async function expectClean(page: Page, path: string) {
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  // Let the page's reads settle, so what is checked is what a user reads.
  await page.waitForLoadState('networkidle');
  expect(await violations(page), `axe on ${path}`).toEqual([]);
}

test('the signed-out pages have no accessibility violations', async ({ page }) => {
  for (const path of ['/sign-in', '/forgot-password', '/reset-password/' + '0'.repeat(64)]) {
    await expectClean(page, path);
  }
});

test("the owner's pages have no accessibility violations", async ({ page, request }) => {
  // Eleven pages, each loaded, settled and checked: three times the usual time.
  test.slow();
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  const invoices = await (await page.request.get('/api/invoices')).json();
  const first: string = invoices.data[0].id;
  for (const path of [
    '/billing',
    '/billing/subscription',
    '/billing/payment',
    '/billing/invoices',
    `/billing/invoices/${first}`,
    '/billing/refund',
    '/billing/cancel',
    '/billing/access',
    '/billing/audit',
    '/account/security',
    '/dev/mailbox',
  ]) {
    await expectClean(page, path);
  }
});

test('a member without billing access meets no accessibility violations', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'member'));
  for (const path of ['/billing', '/billing/invoices', '/billing/access']) {
    await expectClean(page, path);
  }
});
