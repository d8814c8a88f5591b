// Credit notes (SPEC §12): a refund issues one against the period's
// invoice, listed under its own heading on the Invoices page with a PDF.
import { expect, test } from '@playwright/test';
import { createAccount, invoiceNumbers, userOf } from './fixtures/api';
import { RefundPage } from './fixtures/cancel';
import { InvoicesPage, signInAs } from './fixtures/pages';

test('a refund shows its credit note on the Invoices page', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  const [invoice] = await invoiceNumbers(page.request);
  const invoices = new InvoicesPage(page);
  await invoices.goto();
  await expect(page.getByRole('heading', { level: 2, name: 'Credit notes' })).toBeVisible();
  await expect(page.getByText('No credit notes.')).toBeVisible();

  const refund = new RefundPage(page);
  await page.goto('/billing/refund');
  await expect(refund.quote()).toContainText('$1,668.00');
  await refund.confirmationField().fill('CONFIRM');
  await refund.submit().click();
  await expect(page.getByRole('status').filter({ hasText: 'Your subscription has ended.' })).toBeVisible();

  await invoices.goto();
  const table = page.getByRole('table', { name: 'Credit notes' });
  const row = table.getByRole('row').filter({ hasText: /CN-\d{6}/ });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Refund');
  await expect(row).toContainText('$1,668.00');
  await expect(row.getByRole('link', { name: invoice })).toBeVisible();
  const number = (await row.getByRole('rowheader').textContent())!.trim();
  const downloading = page.waitForEvent('download');
  await row.getByRole('link', { name: `Download ${number} as PDF` }).click();
  expect((await downloading).suggestedFilename()).toBe(`${number}.pdf`);

  // The credited invoice is one click away.
  await row.getByRole('link', { name: invoice }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Invoice ${invoice}` })).toBeVisible();
});
