// Billing details (SPEC §12): an owner fills them in on Plans & Billing, a
// broken field is named beside it, and the next invoice is made out to them
// while the invoices already issued keep theirs.
import { expect, test } from '@playwright/test';
import { advancePastPeriodEnd, createAccount, emailsOf, invoiceNumbers, userOf } from './fixtures/api';
import { InvoicePage, InvoicesPage, navLink, signInAs } from './fixtures/pages';

test('an owner fills in billing details and sees them on the next invoice', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  await billing.goto();
  const card = page.getByRole('region', { name: 'Billing details' });
  await expect(card.getByLabel('Legal name')).not.toHaveValue('');
  await expect(card.getByLabel('Billing e-mail')).toHaveValue(userOf(account, 'owner').email);

  await card.getByLabel('Legal name').fill('Acme Holdings LLC');
  await card.getByLabel('Billing e-mail').fill('ap@acme.test');
  await card.getByLabel('CC (optional)').fill('cfo@acme.test\nnot-an-address');
  await card.getByLabel('Address line 1').fill('1 Main St');
  await card.getByLabel('City').fill('Springfield');
  await card.getByLabel('State or region (optional)').fill('IL');
  await card.getByLabel('Postal code').fill('62701');
  await card.getByLabel('Country').selectOption('US');
  await card.getByLabel('Tax ID (optional)').fill('US12-3456789');
  await card.getByRole('button', { name: 'Save billing details' }).click();
  // The API names the broken address; the field says so.
  await expect(card.getByLabel('CC (optional)')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert')).toContainText('The billing details were not saved');

  await card.getByLabel('CC (optional)').fill('cfo@acme.test');
  await card.getByRole('button', { name: 'Save billing details' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Billing details saved.' })).toBeVisible();
  await expect(card.getByLabel('CC (optional)')).not.toHaveAttribute('aria-invalid', 'true');
  await page.reload();
  await expect(card.getByLabel('Legal name')).toHaveValue('Acme Holdings LLC');

  // The next invoice is made out to them; the first keeps the old buyer.
  const [first] = await invoiceNumbers(page.request);
  await advancePastPeriodEnd(page.request, request, account.account_id);
  const [renewal] = await invoiceNumbers(page.request);
  await navLink(page, 'Invoices').click();
  const invoices = new InvoicesPage(page);
  await invoices.row(renewal).getByRole('link', { name: renewal }).click();
  const invoice = new InvoicePage(page);
  await expect(invoice.heading(renewal)).toBeVisible();
  const billedTo = page.getByRole('region', { name: 'Billed to' });
  await expect(billedTo).toContainText('Acme Holdings LLC');
  await expect(billedTo).toContainText('1 Main St');
  await expect(billedTo).toContainText('Springfield IL 62701');
  await expect(billedTo).toContainText('Tax ID: US12-3456789');
  await expect(page.getByRole('region', { name: 'From' })).toContainText('Helpdesk Software Inc.');

  await page.goto('/billing/invoices');
  await invoices.row(first).getByRole('link', { name: first }).click();
  await expect(invoice.heading(first)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Billed to' })).not.toContainText('Acme Holdings LLC');

  // The receipt went to the billing e-mail and its CC, with the PDF.
  const receipt = (await emailsOf(request, account.account_id)).find((e) => e.kind === 'invoice_paid');
  expect(receipt?.to).toBe('ap@acme.test');
  expect(receipt?.cc).toEqual(['cfo@acme.test']);
  expect(receipt?.attachments).toEqual([
    expect.objectContaining({ filename: `${renewal}.pdf`, content_type: 'application/pdf' }),
  ]);
});

test('a billing member sees the billing details but cannot change them', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'billing_member'));
  await billing.goto();
  const card = page.getByRole('region', { name: 'Billing details' });
  await expect(card.getByLabel('Legal name')).toBeDisabled();
  await expect(card.getByRole('button', { name: 'Save billing details' })).toHaveCount(0);
  await expect(card).toContainText('Only the owner, admins and members with manage access can change them.');
});
