// Invoices: billing readers list them, open one, print it or download its
// PDF; users without billing access are told whom to ask.
import { expect, test } from '@playwright/test';
import { advanceClock, advancePastPeriodEnd, createAccount, currentPeriodSeconds, invoiceNumbers, userOf } from './fixtures/api';
import { BillingPage, InvoicePage, InvoicesPage, navLink, signInAs } from './fixtures/pages';

test('a billing member lists the invoices, opens one and downloads its PDF', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'billing_member'));
  await navLink(page, 'Invoices').click();
  const invoices = new InvoicesPage(page);
  await expect(invoices.heading()).toBeVisible();
  await expect(page).toHaveTitle('Billing — Invoices');
  await expect(navLink(page, 'Invoices')).toHaveAttribute('aria-current', 'page');
  await expect(invoices.invoiceRows()).toHaveCount(1);
  const [first] = await invoiceNumbers(page.request);
  expect(first).toMatch(/^INV-\d{6}$/);
  await expect(invoices.row(first)).toContainText('Paid');
  await expect(invoices.row(first)).toContainText('$1,668.00');

  // A month later the renewal adds a second invoice, listed first.
  await advancePastPeriodEnd(page.request, request, account.account_id);
  await page.reload();
  await expect(invoices.invoiceRows()).toHaveCount(2);
  const [second] = await invoiceNumbers(page.request);
  expect(second > first).toBe(true);
  await expect(invoices.invoiceRows().first()).toContainText(second);
  await expect(invoices.row(second)).toContainText('Paid');

  await invoices.row(first).getByRole('link', { name: first }).click();
  const invoice = new InvoicePage(page);
  await expect(invoice.heading(first)).toBeVisible();
  await expect(page).toHaveTitle(`Billing — Invoice ${first}`);
  await expect(page.getByRole('article', { name: 'Invoice document' }).getByText('Test Co.')).toBeVisible();
  const line = invoice.lines().getByRole('row', { name: /Business plan, monthly/ });
  await expect(line).toContainText('12');
  await expect(line).toContainText('$1,668.00');
  const total = invoice.lines().getByRole('row', { name: /Total/ });
  await expect(total).toContainText('$1,668.00');
  await expect(page.getByRole('button', { name: 'Print' })).toBeVisible();

  const downloading = page.waitForEvent('download');
  await invoice.downloadLink().click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.pdf$/);

  // The detail survives a reload, and the way back works.
  await page.reload();
  await expect(invoice.heading(first)).toBeVisible();
  await page.getByRole('link', { name: 'Back to invoices' }).click();
  await expect(invoices.heading()).toBeVisible();
});

test('Plans & Billing charts spend and lists the latest invoices', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  await advancePastPeriodEnd(page.request, request, account.account_id);
  await billing.goto();
  const chart = billing.card('Spend history').getByRole('img');
  await expect(chart).toHaveAttribute('aria-label', 'Spend over the last 2 invoices: $1,668.00 each');
  const recent = billing.card('Invoices');
  const [latest] = await invoiceNumbers(page.request);
  await expect(recent.getByRole('link', { name: latest })).toBeVisible();
  await recent.getByRole('link', { name: 'View all invoices' }).click();
  await expect(new InvoicesPage(page).heading()).toBeVisible();
});

test('older invoices load a page at a time', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  // 21 renewals: 22 invoices, one more page than the first.
  const period = await currentPeriodSeconds(page.request);
  await advanceClock(request, account.account_id, period * 21 + 86_400 * 12);
  const invoices = new InvoicesPage(page);
  await invoices.goto();
  await expect(invoices.invoiceRows()).toHaveCount(20);
  await expect(page.getByRole('status').filter({ hasText: '20 invoices' })).toBeVisible();
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(invoices.invoiceRows()).toHaveCount(22);
  const numbers = await invoiceNumbers(page.request);
  await expect(invoices.invoiceRows().last()).toContainText(numbers[21]);
  // The keyboard continues from the first invoice just loaded.
  await expect(page.getByRole('link', { name: numbers[20], exact: true })).toBeFocused();
  await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);
});

test("an unknown invoice says it isn't found", async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  await page.goto('/billing/invoices/in_does_not_exist');
  await expect(page.getByRole('heading', { level: 1, name: 'Invoice not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to invoices' }).click();
  await expect(new InvoicesPage(page).heading()).toBeVisible();
});

test('a member without billing access sees who to ask instead', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'member'));
  await expect(navLink(page, 'Invoices')).toHaveCount(0);
  await page.goto('/billing/invoices');
  await expect(new InvoicesPage(page).heading()).toBeVisible();
  await expect(new BillingPage(page).noAccessHeading()).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  const res = await page.request.get('/api/invoices');
  expect(res.status()).toBe(403);
});
