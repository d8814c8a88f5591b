// Contract plans (Premium) are bought and cancelled with the Customer
// Success Manager: Manage subscription offers "Talk to us" rather than a
// purchase, and the wizard ends at a meeting request, with no cancel button.
// What the portal says about plans, prices and add-ons is the catalog's.
import { expect, test } from '@playwright/test';
import { createAccount, emailsOf, idempotencyKey, userOf } from './fixtures/api';
import { CancelEntry, CancelWizard, overviewOf } from './fixtures/cancel';
import { BillingPage, signInAs } from './fixtures/pages';
import { SubscriptionPage } from './fixtures/subscription';

test('Premium is offered through Customer Success, never as a self-serve purchase', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  // The refund window is the configured one.
  await expect(billing.card('Cancellation and refunds')).toContainText(
    "everything, to your card, within 7 days of a purchase you haven't used",
  );

  const subscription = new SubscriptionPage(page);
  await subscription.goto();
  const plans = page.getByRole('group', { name: 'Plan', exact: true });
  await expect(subscription.plan('Business')).toBeChecked();
  await expect(subscription.plan('Premium')).toHaveCount(0);
  await expect(subscription.plan('Essentials')).toHaveAccessibleDescription(
    'Monthly or annual billing · from $79 per seat / month',
  );
  await expect(subscription.plan('Business')).toHaveAccessibleDescription(
    'Monthly or annual billing · from $119 per seat / month',
  );
  const premium = plans.getByRole('group', { name: 'Premium', exact: true });
  await expect(premium).toContainText('Annual contract · from $239 per seat / month');
  const talk = premium.getByRole('link', { name: 'Talk to us about Premium' });
  await expect(talk).toHaveAttribute('href', 'mailto:success@example.com?subject=Premium%20plan');
  await talk.focus();
  await expect(talk).toBeFocused();

  // Add-ons with the catalog's descriptions and prices.
  await expect(subscription.addOn('Support Bot')).toHaveAccessibleDescription(
    'An automated assistant that answers common questions. $50 a month',
  );
  await expect(subscription.addOn('Operation')).toHaveAccessibleDescription(
    'Automation rules and statistics. $30 a month',
  );
  await expect(subscription.addOn('Marketing')).toHaveAccessibleDescription(
    'Campaigns to your customers. $40 a month',
  );
});

test('an account on Premium sees its plan, billed annually only', async ({ page, request }) => {
  const account = await createAccount(request, { plan: 'premium' });
  const billing = await signInAs(page, userOf(account, 'owner'));
  await expect(billing.card('Premium')).toContainText('Annual');

  const subscription = new SubscriptionPage(page);
  await subscription.goto();
  await expect(subscription.plan('Premium')).toBeChecked();
  await expect(subscription.plan('Business')).toBeDisabled();
  await expect(subscription.plan('Essentials')).toBeDisabled();
  await expect(page.getByText('Contract plans are changed through your Customer Success Manager.')).toBeVisible();
  await expect(subscription.interval('Annual')).toBeChecked();
  await expect(subscription.interval('Monthly')).toBeDisabled();
  await expect(page.getByText('Premium is sold with annual billing only.')).toBeVisible();
  await expect(page.getByRole('link', { name: /^Talk to us/ })).toHaveCount(0);
});

test('a Premium account reaches Customer Success and requests a meeting', async ({ page, request }) => {
  const account = await createAccount(request, { plan: 'premium' });
  await signInAs(page, userOf(account, 'owner'));
  expect((await overviewOf(page.request)).contract).toBe(true);
  const wizard = new CancelWizard(page);

  await new CancelEntry(page).link().click();
  await wizard.expectStep('Why are you cancelling?', 'Step 1 of 2');
  await wizard.reason("It's missing features we need").check();
  await wizard.continue();

  await wizard.expectStep('Talk to your Customer Success Manager', 'Step 2 of 2');
  await expect(wizard.cancelButton()).toHaveCount(0);
  await expect(wizard.confirmationField()).toHaveCount(0);
  await expect(wizard.keepLink()).toBeVisible();
  await page.getByLabel('Note for your Customer Success Manager (optional)').fill('We need SSO by March.');
  await page.getByRole('button', { name: 'Request a meeting' }).click();

  await expect(wizard.heading('Your Customer Success Manager will contact you')).toBeFocused();
  const emails = await emailsOf(request, account.account_id);
  const meeting = emails.find((e) => e.kind === 'meeting_request');
  expect(meeting?.to).toBe('success@example.com');
  expect(meeting?.body).toContain('We need SSO by March.');
  expect((await overviewOf(page.request)).status).toBe('active');

  // The API holds the same line: no self-serve cancel on a contract.
  const res = await page.request.post('/api/subscription/cancel', {
    headers: { 'Idempotency-Key': idempotencyKey() },
    data: { confirmation: 'CONFIRM', acknowledged: ['access_ends', 'data_deleted'] },
  });
  expect(res.status()).toBe(409);
  expect((await res.json()).error.code).toBe('contract_plan');
});
