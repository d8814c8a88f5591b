// Pausing instead of cancelling: the wizard's pause step pauses for $1 a
// month; Plans & Billing says so and resumes it.
import { expect, test } from '@playwright/test';
import { createAccount, emailsOf, userOf } from './fixtures/api';
import { CancelEntry, CancelWizard, overviewOf } from './fixtures/cancel';
import { signInAs } from './fixtures/pages';

test('pause from the wizard, then resume on Plans & Billing', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  const entry = new CancelEntry(page);
  const wizard = new CancelWizard(page);

  await entry.link().click();
  await wizard.expectStep('Why are you cancelling?');
  await wizard.reason("We're not using it enough").check();
  await wizard.continue();
  await wizard.expectStep('Before you go');
  await wizard.continue();

  await wizard.expectStep('Pause instead?', 'Step 3 of 5');
  await expect(page.getByText('If you need a break rather than a goodbye, pause for $1 a month')).toBeVisible();
  await page.getByRole('button', { name: 'Pause subscription' }).click();

  await expect(wizard.heading('Your subscription is paused')).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: 'You pay $1 a month' })).toBeVisible();
  expect((await overviewOf(page.request)).status).toBe('paused');
  expect((await emailsOf(request, account.account_id)).map((e) => e.kind)).toContain('paused');

  await wizard.backToBilling().click();
  await billing.expectLoaded();
  await expect(entry.pausedNotice()).toContainText('Your data, credits and history are kept.');
  await expect(page.getByText('Paused', { exact: true })).toBeVisible();

  await entry.pausedNotice().getByRole('button', { name: 'Resume subscription' }).click();
  await expect(entry.announcement('Your subscription is active again.')).toBeVisible();
  await expect(entry.pausedNotice()).toHaveCount(0);
  await expect(page.getByText('Active', { exact: true })).toBeVisible();
  expect((await overviewOf(page.request)).status).toBe('active');
});
