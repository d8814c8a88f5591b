// Dunning: a renewal the card cannot pay makes the account past due; a
// working card entered from the banner pays the invoice and ends it.
import { expect, test } from '@playwright/test';
import { advanceClock, advancePastPeriodEnd, createAccount, emailsOf, invoiceNumbers, saveCard, userOf } from './fixtures/api';
import { InvoicesPage, navLink, PaymentPage, signInAs } from './fixtures/pages';

test('a declined renewal shows the past-due banner until a working card pays', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  const payment = new PaymentPage(page);

  // A card that saves but declines every charge.
  await payment.goto();
  await payment.saveCard('4000 0000 0000 0341');
  await expect(payment.savedMessage()).toContainText('Your Visa ending in 0341 is now your default payment method.');

  await advancePastPeriodEnd(page.request, request, account.account_id);
  const emails = await emailsOf(request, account.account_id);
  expect(emails.map((e) => e.kind)).toContain('card_declined');

  await billing.goto();
  const banner = billing.stateBanner();
  await expect(banner).toContainText('Your last payment failed.');
  await expect(banner).toContainText('Update your payment method within 3 days to avoid deactivation.');
  await expect(page.getByText('Past due', { exact: true })).toBeVisible();

  await banner.getByRole('link', { name: 'Update payment method' }).click();
  await expect(payment.heading()).toBeVisible();
  await expect(page).toHaveURL(/\/billing\/payment$/);
  await payment.saveCard('4242 4242 4242 4242');
  await expect(payment.savedMessage()).toContainText('Your Visa ending in 4242 is now your default payment method.');
  // Paid within the grace period: the period is kept.
  await expect(payment.savedMessage()).toContainText(/Invoice INV-\d{6} for \$1,668\.00 was paid\./);
  // The payment page's own banner goes once the overview is read again.
  await expect(billing.stateBanner()).toHaveCount(0);

  await navLink(page, 'Plans & Billing').click();
  await billing.expectLoaded();
  await expect(billing.card('Payment method').getByText('Visa ending in 4242')).toBeVisible();
  await expect(page.getByText('Active', { exact: true })).toBeVisible();
  await expect(billing.stateBanner()).toHaveCount(0);

  await navLink(page, 'Invoices').click();
  const invoices = new InvoicesPage(page);
  await expect(invoices.heading()).toBeVisible();
  const [renewal] = await invoiceNumbers(page.request);
  await expect(invoices.invoiceRows().first()).toContainText(renewal);
  await expect(invoices.row(renewal)).toContainText('Paid');
});

test('after the grace period the account is deactivated until the card is updated', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  await saveCard(page.request, '4000000000000341');
  await advancePastPeriodEnd(page.request, request, account.account_id);
  await advanceClock(request, account.account_id, 3 * 86_400 + 3_600);

  await billing.goto();
  await expect(billing.stateBanner()).toContainText(
    'Your account is deactivated because $1,668.00 is unpaid. Everything except billing is locked until you update your payment method: a working card pays $1,668.00 for a new period starting today, and the locked time is not billed.',
  );
  await billing.stateBanner().getByRole('link', { name: 'Update payment method' }).click();
  const payment = new PaymentPage(page);
  await expect(payment.heading()).toBeVisible();
  // A card that still cannot pay is saved, and the page says the invoice stays unpaid.
  await payment.saveCard('4000 0000 0000 0341');
  await expect(payment.savedMessage()).toContainText(/Invoice INV-\d{6} for \$1,668\.00 could not be paid: Your card was declined\./);
  await expect(billing.stateBanner()).toContainText('Your account is deactivated');
});

test('a period ending with no card freezes the account until one is added', async ({ page, request, browser }) => {
  const account = await createAccount(request, { withCard: false });
  const billing = await signInAs(page, userOf(account, 'owner'));
  await expect(billing.card('Payment method').getByText('No payment method on file')).toBeVisible();
  await advancePastPeriodEnd(page.request, request, account.account_id);

  await billing.goto();
  const frozen =
    'Your account is frozen because there is no payment method on file. Add a card to pay $1,668.00 for a new period starting today and unfreeze it; the frozen time is not billed.';
  await expect(billing.stateBanner()).toContainText(frozen);

  // A billing member reads the same, and whom to ask, with no link to act.
  const memberPage = await browser.newPage();
  const memberBilling = await signInAs(memberPage, userOf(account, 'billing_member'));
  await expect(memberBilling.stateBanner()).toContainText(frozen);
  await expect(memberBilling.stateBanner()).toContainText(
    'Ask the account owner or an admin to update the payment method.',
  );
  await expect(memberBilling.stateBanner().getByRole('link')).toHaveCount(0);
  await memberPage.close();

  await billing.stateBanner().getByRole('link', { name: 'Add a card' }).click();
  const payment = new PaymentPage(page);
  await expect(payment.currentCard().getByText('No payment method on file')).toBeVisible();
  await payment.saveCard('4242 4242 4242 4242');
  // The frozen period's invoice is voided; a new period starting now is billed.
  await expect(payment.savedMessage()).toContainText(/Invoice INV-\d{6} for \$1,668\.00 was paid\./);
  await expect(payment.currentCard().getByText('Visa ending in 4242')).toBeVisible();
  await expect(billing.stateBanner()).toHaveCount(0);
});
