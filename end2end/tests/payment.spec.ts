// Manage payment: the brand shows as a card is typed, typos are caught before
// anything is sent, a decline changes nothing, a good card becomes the
// default, and users who may only read see the card without a form.
import { expect, test } from '@playwright/test';
import { createAccount, userOf } from './fixtures/api';
import { navLink, PaymentPage, signInAs } from './fixtures/pages';

test('the brand shows as the number is typed, grouped as on the card', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  await navLink(page, 'Payment').click();
  const payment = new PaymentPage(page);
  await expect(payment.heading()).toBeVisible();
  await expect(page).toHaveTitle('Billing — Manage payment');
  await expect(navLink(page, 'Payment')).toHaveAttribute('aria-current', 'page');

  await payment.cardNumber().pressSequentially('4242');
  await expect(payment.brand()).toHaveText('Visa');
  await payment.cardNumber().pressSequentially('424242424242');
  await expect(payment.cardNumber()).toHaveValue('4242 4242 4242 4242');

  await payment.cardNumber().fill('');
  await payment.cardNumber().pressSequentially('5555');
  await expect(payment.brand()).toHaveText('Mastercard');

  await payment.cardNumber().fill('378282246310005');
  await expect(payment.brand()).toHaveText('American Express');
  await expect(payment.cardNumber()).toHaveValue('3782 822463 10005');
});

test('an invalid number shows an inline error and sends nothing', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  const payment = new PaymentPage(page);
  await payment.goto();

  let cardRequests = 0;
  page.on('request', (req) => {
    if (/\/api\/(gateway\/tokens|payment-methods)/.test(req.url())) cardRequests += 1;
  });

  await payment.cardNumber().fill('4242 4242 4242 4241');
  await payment.cardNumber().press('Tab');
  const message = 'The card number is incomplete or has a typo.';
  await expect(page.getByText(message)).toBeVisible();
  await expect(payment.cardNumber()).toHaveAttribute('aria-invalid', 'true');
  await expect(payment.cardNumber()).toHaveAccessibleDescription(new RegExp(message.replace('.', '\\.')));

  await payment.expiry().fill('12/34');
  await payment.securityCode().fill('123');
  await page.getByRole('button', { name: 'Save card' }).click();
  await expect(payment.cardNumber()).toBeFocused();
  await expect(page.getByText(message)).toBeVisible();
  expect(cardRequests).toBe(0);

  await expect(payment.currentCard().getByText('Visa ending in 4242')).toBeVisible();
  const overview = await (await page.request.get('/api/billing/overview')).json();
  expect(overview.payment_method.last4).toBe('4242');

  // Fixing the number clears its message as it is typed.
  await payment.cardNumber().fill('4242 4242 4242 4242');
  await expect(page.getByText(message)).toHaveCount(0);
  await expect(payment.cardNumber()).not.toHaveAttribute('aria-invalid', 'true');
});

test('a declined card says so and the old card stays', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  const payment = new PaymentPage(page);
  await payment.goto();

  await payment.saveCard('4000 0000 0000 0002');
  await expect(page.getByRole('alert')).toContainText('Your card was declined.');
  await expect(payment.savedMessage()).toHaveCount(0);
  await expect(payment.currentCard().getByText('Visa ending in 4242')).toBeVisible();
  // What was typed stays, to correct or replace.
  await expect(payment.cardNumber()).toHaveValue('4000 0000 0000 0002');

  await page.reload();
  await expect(payment.currentCard().getByText('Visa ending in 4242')).toBeVisible();
});

test('a good card becomes the default, saved once however often it is submitted', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  const payment = new PaymentPage(page);
  await payment.goto();

  // Hold the save a moment, so the pending state can be seen.
  let saves = 0;
  await page.route('**/api/payment-methods', async (route) => {
    saves += 1;
    await new Promise((resolve) => setTimeout(resolve, 700));
    await route.continue();
  });

  await payment.enterCard('5555 5555 5555 4444', '08/31', '321');
  await expect(payment.brand()).toHaveText('Mastercard');
  await page.getByRole('button', { name: 'Save card' }).click();
  await expect(payment.saveButton()).toHaveText('Saving…');
  await expect(payment.saveButton()).toBeDisabled();
  await payment.securityCode().press('Enter');

  await expect(payment.savedMessage()).toHaveText(
    'Your Mastercard ending in 4444 is now your default payment method.',
  );
  await expect(payment.currentCard().getByText('Mastercard ending in 4444')).toBeVisible();
  await expect(payment.currentCard().getByText('Expires 08/2031')).toBeVisible();
  await expect(payment.saveButton()).toHaveText('Save card');
  await expect(payment.cardNumber()).toHaveValue('');
  expect(saves).toBe(1);

  await page.goto('/billing');
  await expect(page.getByText('Mastercard ending in 4444')).toBeVisible();
});

test('a billing member sees the card read-only, with no form', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'billing_member'));
  await navLink(page, 'Payment').click();
  const payment = new PaymentPage(page);
  await expect(payment.heading()).toBeVisible();
  await expect(payment.currentCard().getByText('Visa ending in 4242')).toBeVisible();
  await expect(payment.currentCard().getByText('Expires 12/2034')).toBeVisible();
  await expect(
    page.getByText('Only the account owner, admins and members with manage access can change the payment method.'),
  ).toBeVisible();
  await expect(payment.cardNumber()).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Save card' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'billing@example.com' })).toHaveAttribute(
    'href',
    'mailto:billing@example.com',
  );
});
