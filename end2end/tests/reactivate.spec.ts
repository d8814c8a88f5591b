// After a cancellation takes effect: the owner keeps billing and can
// reactivate with a card within 60 days; other users are told why billing
// is gone; after the 60 days the account can't be signed in to.
import { expect, test } from '@playwright/test';
import { advanceClock, advancePastPeriodEnd, createAccount, emailsOf, userOf } from './fixtures/api';
import { CancelEntry, cancelThroughApi, overviewOf } from './fixtures/cancel';
import { PaymentPage, SignInPage, signInAs } from './fixtures/pages';

test('an ended subscription is reactivated by entering a card', async ({ page, request, browser }) => {
  const account = await createAccount(request);
  const billing = await signInAs(page, userOf(account, 'owner'));
  const entry = new CancelEntry(page);
  await cancelThroughApi(page.request);
  await advancePastPeriodEnd(page.request, request, account.account_id);
  const ended = await overviewOf(page.request);
  expect(ended.status).toBe('canceled');

  await billing.goto();
  const until = new Date(ended.data_deleted_at!).toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  });
  await expect(entry.endedNotice()).toContainText(`Your data is kept until ${until}`);
  await expect(entry.link()).toHaveCount(0);

  // Everyone else is told the subscription ended, not shown a broken page.
  const adminPage = await browser.newPage();
  await signInAs(adminPage, userOf(account, 'admin'));
  await expect(adminPage.getByRole('heading', { name: 'Your subscription has ended' })).toBeVisible();
  await expect(
    adminPage.getByText('The subscription has ended. Only the account owner can see billing and reactivate it.'),
  ).toBeVisible();
  await adminPage.close();

  await entry.endedNotice().getByRole('link', { name: 'Reactivate with a card' }).click();
  const payment = new PaymentPage(page);
  await expect(payment.heading()).toBeVisible();
  await expect(page.getByRole('note')).toContainText('Saving a card below reactivates it');
  await payment.saveCard('4242 4242 4242 4242');
  await expect(payment.savedMessage()).toContainText('Your Visa ending in 4242 is now your default payment method.');
  await expect(page.getByRole('note')).toHaveCount(0);

  expect((await overviewOf(page.request)).status).toBe('active');
  expect((await emailsOf(request, account.account_id)).map((e) => e.kind)).toContain('reactivated');
  await billing.goto();
  await expect(billing.card('Business')).toContainText('Active');
  await expect(entry.endedNotice()).toHaveCount(0);
  await expect(entry.link()).toBeVisible();
});

test('60 days after the end the account is deleted and signing in says so', async ({ page, request }) => {
  const account = await createAccount(request);
  const owner = userOf(account, 'owner');
  await signInAs(page, owner);
  await cancelThroughApi(page.request);
  await advancePastPeriodEnd(page.request, request, account.account_id);
  await advanceClock(request, account.account_id, 61 * 86_400);

  // Signed out (the session went with the account), then signing in again.
  await page.context().clearCookies();
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(owner.email, owner.password);
  await expect(signIn.error()).toContainText('This account was closed and its data deleted on');
  await expect(signIn.error()).toContainText('It can no longer be signed in to or recovered.');
  await expect(page).toHaveURL(/\/sign-in/);
});
