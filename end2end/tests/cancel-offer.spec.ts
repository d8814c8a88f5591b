// Staying: an offer accepted in the cancel wizard is applied through the API
// and ends the wizard; the subscription stays active.
import { expect, test } from '@playwright/test';
import { createAccount, userOf } from './fixtures/api';
import { CancelEntry, CancelWizard, overviewOf } from './fixtures/cancel';
import { signInAs } from './fixtures/pages';

test('accepting the discount offer keeps the subscription, 25% off for 3 renewals', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  const wizard = new CancelWizard(page);

  await new CancelEntry(page).link().click();
  await wizard.expectStep('Why are you cancelling?', 'Step 1 of 5');
  await wizard.reason("It's too expensive").check();
  await wizard.continue();

  await wizard.expectStep('Before you go');
  const discount = wizard.offer('25% off for 3 months');
  await expect(discount).toContainText('25% off each of your next 3 months of service');
  await discount.getByRole('button', { name: 'Accept offer' }).click();

  await expect(wizard.heading('Your subscription continues')).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: '25% off your next 3 months' })).toBeVisible();
  await expect(page).toHaveURL(/\/billing\/cancel\/[^/]+\/kept$/);
  const run = page.url().replace(/\/kept$/, '/offers');
  // The outcome is still there after a reload.
  await page.reload();
  await expect(wizard.heading('Your subscription continues')).toBeVisible();
  await expect(page.getByText('25% off your next 3 months')).toBeVisible();

  await wizard.backToBilling().click();
  await billing.expectLoaded();
  await expect(billing.card('Business')).toContainText('Active');
  const overview = await overviewOf(page.request);
  expect(overview.status).toBe('active');
  expect(overview.discount).toEqual({ percent: 25, months_left: 3 });

  // The run is over: its steps say so rather than offering it again.
  await page.goto(run);
  await expect(page.getByText('This cancellation is already finished')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Accept offer' })).toHaveCount(0);
});
