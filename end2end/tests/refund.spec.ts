// Refunds (owner only): unused within 7 days is refunded in full to the
// card; otherwise the unused rest, less the discount, becomes credit, which
// the owner can ask the billing team to pay out.
import { expect, test } from '@playwright/test';
import { advanceClock, createAccount, emailsOf, userOf } from './fixtures/api';
import { CancelEntry, overviewOf, recordUsage, RefundPage } from './fixtures/cancel';
import { signInAs } from './fixtures/pages';

test('an unused purchase is refunded in full and the subscription ends', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  const refund = new RefundPage(page);

  await page.getByRole('link', { name: 'Review refund' }).click();
  await expect(refund.heading()).toBeVisible();
  await expect(refund.quote()).toContainText('Full refund to your card');
  await expect(refund.quote()).toContainText('$1,668.00');
  await expect(refund.steps().getByRole('row', { name: /Paid by card for this period/ })).toContainText('$1,668.00');

  await refund.confirmationField().fill('confirm');
  await refund.submit().click();
  await expect(page.getByText('Type CONFIRM in capital letters: a refund ends the subscription now. Nothing was changed.')).toBeVisible();
  await expect(refund.confirmationField()).toHaveAttribute('aria-invalid', 'true');
  expect((await overviewOf(page.request)).status).toBe('active');

  await refund.confirmationField().fill('CONFIRM');
  await refund.submit().click();
  await expect(page.getByRole('status').filter({ hasText: 'Your subscription has ended.' })).toContainText(
    'Done: $1,668.00 goes back to your card.',
  );
  expect((await overviewOf(page.request)).status).toBe('canceled');

  await billing.goto();
  await expect(new CancelEntry(page).endedNotice()).toBeVisible();
});

test('a used subscription refunds the unused rest as credit, which can be withdrawn', async ({ page, request, browser }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  await recordUsage(page.request, 'chats', 12);
  await advanceClock(request, account.account_id, 10 * 86_400);
  const refund = new RefundPage(page);

  await page.goto('/billing/refund');
  await expect(refund.quote()).toContainText('Partial refund to your credit balance');
  await expect(refund.steps().getByRole('row', { name: /Time used, at the list price/ })).toBeVisible();
  await expect(refund.steps().getByRole('row', { name: /clawed back/ })).toBeVisible();
  await refund.confirmationField().fill('CONFIRM');
  await refund.submit().click();
  await expect(page.getByRole('status').filter({ hasText: 'goes to your credit balance.' })).toBeVisible();
  const { credit_balance } = await overviewOf(page.request);
  expect(credit_balance.amount).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Withdraw credit balance' }).click();
  await page.getByLabel('Note for the billing team (optional)').fill('Please pay it to our account ending 9876.');
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your request was sent to the billing team.' })).toBeVisible();
  const withdrawal = (await emailsOf(request, account.account_id)).find((e) => e.kind === 'balance_withdrawal');
  expect(withdrawal?.to).toBe('billing@example.com');
  expect(withdrawal?.body).toContain('ending 9876');

  // Only the owner has refunds; a billing member sees no such section.
  const memberPage = await browser.newPage();
  const other = await createAccount(request);
  await signInAs(memberPage, userOf(other, 'billing_member'));
  await expect(memberPage.getByRole('region', { name: 'Payment method' })).toBeVisible();
  await expect(memberPage.getByRole('link', { name: 'Review refund' })).toHaveCount(0);
  await expect(memberPage.getByRole('link', { name: 'Cancel subscription' })).toHaveCount(0);
  await memberPage.close();
});
