// Cancelling: every step of the wizard in order, with the focus on each
// step's heading and the step kept across a reload; a lower-case "confirm"
// changes nothing; CONFIRM schedules the cancellation, shown in red on Plans
// & Billing until "Resume subscription".
import { expect, test } from '@playwright/test';
import { createAccount, emailsOf, userOf } from './fixtures/api';
import { CancelEntry, CancelWizard, overviewOf } from './fixtures/cancel';
import { signInAs } from './fixtures/pages';

test('cancel through every step, then resume from Plans & Billing', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  const entry = new CancelEntry(page);
  const wizard = new CancelWizard(page);
  const { current_period_end } = await overviewOf(page.request);

  await entry.link().click();
  await wizard.expectStep('Why are you cancelling?', 'Step 1 of 5');
  await expect(page).toHaveURL(/\/billing\/cancel\/[^/]+\/reason$/);
  await expect(wizard.keepLink()).toHaveAttribute('href', '/billing');
  await wizard.reason("It's too expensive").check();
  await wizard.continue();

  await wizard.expectStep('Before you go', 'Step 2 of 5');
  await expect(wizard.offer('25% off for 3 months').getByRole('button', { name: 'Accept offer' })).toBeVisible();
  await expect(wizard.offer('Switch to Essentials').getByRole('button', { name: 'Switch to Essentials' })).toBeVisible();
  await expect(wizard.offer('Pause for $1 a month').getByRole('button', { name: 'Pause for $1 a month' })).toBeVisible();
  // A reload keeps the step, and the offers come back from the API.
  await page.reload();
  await wizard.expectStep('Before you go', 'Step 2 of 5');
  await expect(wizard.offer('25% off for 3 months')).toBeVisible();
  await wizard.continue();

  await wizard.expectStep('Pause instead?', 'Step 3 of 5');
  await expect(page.getByText('Keep your data, credits and history')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Pause subscription' })).toBeVisible();
  // Back and Forward move between steps.
  await page.goBack();
  await wizard.expectStep('Before you go');
  await page.goForward();
  await wizard.expectStep('Pause instead?');
  await wizard.continue();

  await wizard.expectStep('What happens when you cancel', 'Step 4 of 5');
  const boxes = wizard.consequences();
  await expect(boxes).toHaveCount(2);
  await expect(page.getByLabel(/^Access ends on /)).toBeVisible();
  await expect(page.getByLabel(/^Your data is kept until /)).toBeVisible();
  // Continuing with an unticked item says so and changes nothing.
  await boxes.first().check();
  await wizard.continue();
  await expect(page.getByRole('alert').filter({ hasText: 'Tick the remaining item to continue' })).toBeVisible();
  await expect(boxes.nth(1)).toHaveAttribute('aria-invalid', 'true');
  await expect(boxes.nth(1)).toBeFocused();
  await boxes.nth(1).check();
  // Ticks survive a reload.
  await page.reload();
  await wizard.expectStep('What happens when you cancel');
  await expect(boxes.first()).toBeChecked();
  await expect(boxes.nth(1)).toBeChecked();
  await wizard.continue();

  await wizard.expectStep('Confirm cancellation', 'Step 5 of 5');
  await wizard.confirmationField().fill('confirm');
  await wizard.cancelButton().click();
  await expect(page.getByText('Type CONFIRM in capital letters to cancel. Nothing was changed.')).toBeVisible();
  await expect(wizard.confirmationField()).toHaveAttribute('aria-invalid', 'true');
  await expect(wizard.confirmationField()).toBeFocused();
  expect((await overviewOf(page.request)).status).toBe('active');

  await wizard.confirmationField().fill('CONFIRM');
  await wizard.cancelButton().click();
  await expect(wizard.heading('Your subscription is scheduled to cancel')).toBeFocused();
  const ends = new Date(current_period_end).toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  });
  await expect(page.getByText(`Your subscription ends on ${ends}.`)).toBeVisible();
  await expect(page.getByText(/confirmation e-mail/)).toBeVisible();
  const after = await overviewOf(page.request);
  expect(after.status).toBe('cancel_scheduled');
  expect(after.cancel_at).toBe(current_period_end);
  expect((await emailsOf(request, account.account_id)).map((e) => e.kind)).toContain('cancellation_scheduled');

  await wizard.backToBilling().click();
  await billing.expectLoaded();
  await expect(entry.scheduledNotice()).toContainText(`Your subscription is scheduled to cancel on ${ends}`);
  await expect(page.getByText('Cancellation scheduled', { exact: true })).toBeVisible();
  // Nothing left to cancel while it is scheduled.
  await expect(entry.link()).toHaveCount(0);

  await entry.scheduledNotice().getByRole('button', { name: 'Resume subscription' }).click();
  await expect(entry.announcement('Your subscription will continue.')).toBeVisible();
  await expect(entry.scheduledNotice()).toHaveCount(0);
  await expect(page.getByText('Active', { exact: true })).toBeVisible();
  await expect(entry.link()).toBeVisible();
  expect((await overviewOf(page.request)).status).toBe('active');
});

test('the reason is required, and "Something else" needs a few words', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'admin'));
  const entry = new CancelEntry(page);
  const wizard = new CancelWizard(page);

  await entry.link().click();
  await wizard.expectStep('Why are you cancelling?');
  await expect(page.getByRole('radiogroup', { name: 'Why are you cancelling?' })).toBeVisible();
  await wizard.continue();
  await expect(page.getByText('Choose a reason to continue.')).toBeVisible();
  await expect(wizard.reason("It's too expensive")).toBeFocused();

  await wizard.reason('Something else').check();
  const more = page.getByLabel('Tell us more');
  await expect(more).toBeVisible();
  await wizard.continue();
  await expect(page.getByText('Tell us a little more about your reason.')).toBeVisible();
  await expect(more).toHaveAttribute('aria-invalid', 'true');
  await expect(more).toBeFocused();
  await more.fill('We are moving everything to an in-house tool.');
  await wizard.continue();

  // "Something else" offers a meeting; declining it is one click.
  await wizard.expectStep('Before you go', 'Step 2 of 5');
  await expect(wizard.offer('Talk to Customer Success').getByRole('button', { name: 'Request a meeting' })).toBeVisible();
  await wizard.continue();
  await wizard.expectStep('Pause instead?');

  // Going back keeps the reason and what was written.
  await page.goBack();
  await page.goBack();
  await wizard.expectStep('Why are you cancelling?');
  await expect(wizard.reason('Something else')).toBeChecked();
  await expect(more).toHaveValue('We are moving everything to an in-house tool.');

  // "Keep my subscription" leaves with nothing changed.
  await wizard.keepLink().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Plans & Billing' })).toBeVisible();
  expect((await overviewOf(page.request)).status).toBe('active');
});
