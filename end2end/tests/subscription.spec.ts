// Manage subscription: every change is priced live by the API's preview,
// reviewed, and charged exactly as previewed; seat reductions wait for the
// renewal and can be undone; billing members only look.
import { expect, test } from '@playwright/test';
import { advanceClock, createAccount, currentPeriodSeconds, saveCard, userOf } from './fixtures/api';
import { BillingPage, navLink, signInAs } from './fixtures/pages';
import {
  changeSubscription,
  newestInvoiceTotal,
  overviewOf,
  portalDate,
  previewChange,
  SubscriptionPage,
  usd,
} from './fixtures/subscription';

test('three seats added mid-period are charged exactly as previewed', async ({ page, request }) => {
  const account = await createAccount(request);
  await advanceClock(request, account.account_id, 10 * 86_400);
  const billing = await signInAs(page, userOf(account, 'owner'));

  await billing.card('Business').getByRole('link', { name: 'Change plan or seats' }).click();
  const subscription = new SubscriptionPage(page);
  await expect(subscription.heading()).toBeVisible();
  await expect(page).toHaveTitle('Billing — Manage subscription');
  await expect(navLink(page, 'Subscription')).toHaveAttribute('aria-current', 'page');
  await expect(subscription.preview()).toContainText(
    'Choose a new plan, interval, seat count or add-ons to see the cost.',
  );
  await expect(subscription.reviewButton()).toBeDisabled();

  for (let i = 0; i < 3; i++) await subscription.addSeat().click();
  await expect(subscription.seats()).toHaveValue('15');
  const expected = await previewChange(page.request, { seats: 15 });
  expect(expected.amount_due_today.amount).toBeGreaterThan(0);
  const due = usd(expected.amount_due_today);
  await expect(subscription.preview()).toContainText(`Due today: ${due}`);
  await expect(subscription.preview()).toContainText('3 additional seats on the Business plan, remaining time');
  await expect(subscription.preview()).toContainText(
    `Next renewal on ${portalDate(expected.next_renewal.date)}: ${usd(expected.next_renewal.amount)}`,
  );

  await subscription.reviewButton().click();
  await expect(subscription.reviewHeading()).toBeFocused();
  await expect(page.getByText('Business · Monthly · 12 seats', { exact: true })).toBeVisible();
  await expect(page.getByText('Business · Monthly · 15 seats', { exact: true })).toBeVisible();
  await expect(subscription.confirmButton()).toHaveText(`Confirm and pay ${due}`);
  await subscription.confirmButton().click();

  await expect(subscription.outcome()).toHaveText(
    `Your subscription was updated. ${due} was charged to Visa ending in 4242.`,
  );
  await expect(subscription.outcome().locator('[tabindex="-1"]')).toBeFocused();
  await expect(subscription.seats()).toHaveValue('15');
  expect(await newestInvoiceTotal(page.request)).toBe(expected.amount_due_today.amount);

  await navLink(page, 'Plans & Billing').click();
  await expect(page.getByText('4 of 15 seats used')).toBeVisible();
});

test('switching to annual billing shows the saving, charges the preview, and back to monthly waits', async ({ page, request }) => {
  const account = await createAccount(request);
  await advanceClock(request, account.account_id, 15 * 86_400);
  await signInAs(page, userOf(account, 'owner'));
  const subscription = new SubscriptionPage(page);
  await subscription.goto();

  // Business: $119 against $139 a seat a month saves about 14%.
  await expect(subscription.intervalOption('Annual')).toContainText('Save about 14%');
  await subscription.interval('Annual').check();
  await expect(page.getByText('Annual billing starts a new yearly period today')).toBeVisible();
  const expected = await previewChange(page.request, { interval: 'year' });
  expect(expected.restarts_period).toBe(true);
  await expect(subscription.preview()).toContainText(`Due today: ${usd(expected.amount_due_today)}`);
  await expect(subscription.preview()).toContainText('Your new annual period starts today.');
  await expect(subscription.preview()).toContainText(/Unused time on Business plan, monthly \(12 seats\)/);

  await subscription.reviewButton().click();
  await subscription.confirmButton().click();
  await expect(subscription.outcome()).toContainText(
    `${usd(expected.amount_due_today)} was charged to Visa ending in 4242.`,
  );
  expect(await newestInvoiceTotal(page.request)).toBe(expected.amount_due_today.amount);

  const billing = new BillingPage(page);
  await billing.goto();
  await expect(billing.card('Business')).toContainText('Annual');

  // Back to monthly waits for the end of the annual contract, and can be undone.
  await subscription.goto();
  await expect(subscription.interval('Annual')).toBeChecked();
  const contractEnd = portalDate((await overviewOf(page.request)).current_period_end);
  await subscription.interval('Monthly').check();
  await expect(page.getByText(`Monthly billing starts when your annual contract ends on ${contractEnd}.`)).toBeVisible();
  await expect(subscription.preview()).toContainText(`Switches to monthly billing on ${contractEnd}`);
  await expect(subscription.preview()).toContainText('Due today: $0.00');
  await subscription.reviewButton().click();
  await subscription.confirmButton().click();
  await expect(subscription.outcome()).toHaveText(
    `Your subscription was updated. Switches to monthly billing on ${contractEnd}.`,
  );
  await billing.goto();
  const pending = billing.card('Pending changes');
  await expect(pending).toContainText(`Switches to monthly billing on ${contractEnd}`);
  await pending.getByRole('button', { name: 'Undo' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: 'The switch to monthly billing was undone. You stay on annual billing.' }),
  ).toBeVisible();
  await expect(billing.card('Pending changes')).toHaveCount(0);
});

test('a downgrade half-way through the month becomes credit', async ({ page, request }) => {
  const account = await createAccount(request);
  const owner = userOf(account, 'owner');
  const billing = await signInAs(page, owner);
  const period = await currentPeriodSeconds(page.request);
  await advanceClock(request, account.account_id, period / 2);

  const subscription = new SubscriptionPage(page);
  await subscription.goto();
  await subscription.plan('Essentials').check();
  const expected = await previewChange(page.request, { plan: 'essentials' });
  expect(expected.credit_created.amount).toBeGreaterThan(0);
  const credit = usd(expected.credit_created);
  await expect(subscription.preview()).toContainText('Due today: $0.00');
  await expect(subscription.preview()).toContainText(`Added to your credit balance: ${credit}`);

  await subscription.reviewButton().click();
  await expect(subscription.confirmButton()).toHaveText('Confirm change');
  await subscription.confirmButton().click();
  await expect(subscription.outcome()).toHaveText(
    `Your subscription was updated. ${credit} was added to your credit balance.`,
  );
  await expect(subscription.plan('Essentials')).toBeChecked();

  await billing.goto();
  await expect(billing.card('Credit balance')).toContainText(credit);
  await expect(billing.card('Essentials')).toBeVisible();
});

test('a seat reduction waits for the renewal and can be undone', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  const subscription = new SubscriptionPage(page);
  await subscription.goto();

  // Never below one seat per active user, who are named.
  await subscription.seats().fill('3');
  const floor =
    '4 people use the account, so it needs at least 4 seats: Olivia Owner, Adam Admin, Bea Billing and Max Member.';
  await expect(page.getByText(floor)).toBeVisible();
  await expect(subscription.seats()).toHaveAttribute('aria-invalid', 'true');
  await expect(subscription.preview()).toContainText('Fix the seat count to see the cost.');
  await expect(subscription.reviewButton()).toBeDisabled();
  await subscription.seats().fill('4');
  await subscription.removeSeat().click();
  await expect(page.getByText(floor)).toBeVisible();
  await expect(subscription.seats()).toHaveValue('4');

  await subscription.seats().fill('10');
  const renewal = portalDate((await overviewOf(page.request)).current_period_end);
  await expect(subscription.preview()).toContainText(`Seats drop to 10 on ${renewal}`);
  await expect(subscription.preview()).toContainText('Due today: $0.00');
  await subscription.reviewButton().click();
  await subscription.confirmButton().click();
  await expect(subscription.outcome()).toHaveText(
    `Your subscription was updated. Seats drop to 10 on ${renewal}.`,
  );

  await billing.goto();
  const pending = billing.card('Pending changes');
  await expect(pending).toContainText(`Seats drop from 12 to 10 on ${renewal}`);
  await expect(page.getByText('4 of 12 seats used')).toBeVisible();
  await pending.getByRole('button', { name: 'Undo' }).click();
  const undone = page.getByRole('status').filter({ hasText: 'The seat reduction was undone. You keep 12 seats.' });
  await expect(undone).toBeVisible();
  await expect(billing.card('Pending changes')).toHaveCount(0);
  expect((await overviewOf(page.request)).pending.seats).toBeNull();
});

test('a change made meanwhile by someone else is not overwritten', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  const subscription = new SubscriptionPage(page);
  await subscription.goto();
  await subscription.addSeat().click();
  await expect(subscription.preview()).toContainText('1 additional seat on the Business plan');
  await subscription.reviewButton().click();

  // Another session adds Marketing before this one confirms.
  await changeSubscription(page.request, { add_ons: ['marketing'] });
  await subscription.confirmButton().click();
  const conflict = page.getByRole('alert').filter({ hasText: 'The subscription changed since you opened this page.' });
  await expect(conflict).toBeVisible();
  await expect(conflict).toContainText('nothing was changed');

  // The seat is priced again on top of the other change, which stays.
  await expect(subscription.addOn('Marketing')).toBeChecked();
  await expect(subscription.seats()).toHaveValue('13');
  await expect(subscription.preview()).toContainText('1 additional seat on the Business plan');
  await subscription.reviewButton().click();
  await subscription.confirmButton().click();
  await expect(subscription.outcome()).toBeVisible();
  const overview = await overviewOf(page.request);
  expect(overview.seats.purchased).toBe(13);
  expect(overview.add_ons).toEqual(['marketing']);
});

test('a declined card changes nothing and says what to do', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  await saveCard(page.request, '4000000000000341');
  const subscription = new SubscriptionPage(page);
  await subscription.goto();
  await subscription.addSeat().click();
  await expect(subscription.preview()).toContainText('1 additional seat on the Business plan');
  await subscription.reviewButton().click();
  await subscription.confirmButton().click();

  const declined = page.getByRole('alert').filter({ hasText: 'Your card was declined.' });
  await expect(declined).toContainText('Nothing was changed.');
  await expect(declined.getByRole('link', { name: 'Update the payment method' })).toBeVisible();
  await expect(subscription.outcome()).toHaveCount(0);
  await expect(subscription.confirmButton()).toBeEnabled();
  expect((await overviewOf(page.request)).seats.purchased).toBe(12);

  await subscription.backButton().click();
  await expect(subscription.reviewButton()).toBeFocused();
  await expect(subscription.seats()).toHaveValue('13');
});

test('a billing member sees the subscription but cannot change it', async ({ page, request }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'billing_member'));
  await expect(billing.card('Business').getByRole('link', { name: 'Change plan or seats' })).toHaveCount(0);
  await billing.card('Business').getByRole('link', { name: 'View subscription details' }).click();

  const subscription = new SubscriptionPage(page);
  await expect(subscription.heading()).toBeVisible();
  const summary = page.getByRole('region', { name: 'Your subscription' });
  await expect(summary).toContainText('Business');
  await expect(summary).toContainText('12 seats (4 in use)');
  await expect(summary).toContainText(
    'Only the account owner, admins and members with manage access can change the subscription.',
  );
  await expect(page.getByRole('radio')).toHaveCount(0);
  await expect(subscription.addSeat()).toHaveCount(0);
  await expect(subscription.reviewButton()).toHaveCount(0);
  await expect(subscription.confirmButton()).toHaveCount(0);

  // The API agrees: a preview is allowed, a change is not.
  await previewChange(page.request, { seats: 13 });
  const res = await page.request.post('/api/subscription/changes', {
    headers: { 'Idempotency-Key': `e2e-${Date.now()}` },
    data: { seats: 13 },
  });
  expect(res.status()).toBe(403);
});
