// Forgot password: a single-use link by e-mail (read here from the test
// mailbox), a new password, then signing in with it.
import { APIRequestContext } from '@playwright/test';
import { createAccount, emailsOf, userOf } from './fixtures/api';
import { SignInPage } from './fixtures/pages';
import { expect, test } from './fixtures/test';

/** The path of the reset link e-mailed to `to` (it arrives just after the answer). */
async function resetLinkPath(request: APIRequestContext, accountId: string, to: string): Promise<string> {
  let body = '';
  await expect
    .poll(async () => {
      const email = (await emailsOf(request, accountId)).find((e) => e.kind === 'password_reset' && e.to === to);
      body = email?.body ?? '';
      return body;
    })
    .toContain('/reset-password/');
  const url = body.match(/https?:\/\/\S+\/reset-password\/[0-9a-f]{64}/)![0];
  return new URL(url).pathname;
}

test('a user who forgot their password sets a new one from the emailed link', async ({ page, request }) => {
  const account = await createAccount(request);
  const owner = userOf(account, 'owner');
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Reset your password' })).toBeVisible();
  await page.getByLabel('Email').fill(owner.email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  const heading = page.getByRole('heading', { level: 1, name: 'Check your email' });
  await expect(heading).toBeFocused();
  await expect(page.getByRole('status')).toContainText(`If an account uses ${owner.email}, we've sent it a link`);

  await page.goto(await resetLinkPath(request, account.account_id, owner.email));
  await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByLabel('New password again').fill('short');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByLabel('New password', { exact: true })).toBeFocused();
  await expect(page.getByText('Use at least 12 characters.')).toBeVisible();
  await page.getByLabel('New password', { exact: true }).fill('remembered at last, finally');
  await page.getByLabel('New password again').fill('remembered at last, finally');
  await page.getByRole('button', { name: 'Set new password' }).click();

  await expect(page).toHaveURL(/\/sign-in\?reset=done$/);
  await expect(page.getByRole('status').filter({ hasText: 'Your password was changed' })).toBeVisible();
  const signIn = new SignInPage(page);
  await signIn.signIn(owner.email, owner.password);
  await expect(signIn.error()).toContainText('Incorrect email or password.');
  await signIn.signIn(owner.email, 'remembered at last, finally');
  await expect(page.getByRole('heading', { level: 1, name: 'Plans & Billing' })).toBeVisible();
});

test('a used link says so and offers a new one', async ({ page, request }) => {
  const account = await createAccount(request);
  const member = userOf(account, 'member');
  const res = await request.post('/api/password-resets', { data: { email: member.email } });
  expect(res.status()).toBe(202);
  const path = await resetLinkPath(request, account.account_id, member.email);
  const token = path.split('/').pop()!;
  const used = await request.post(`/api/password-resets/${token}`, {
    data: { new_password: 'used up already, sorry' },
  });
  expect(used.status()).toBe(204);
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1, name: 'This link no longer works' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('expired or was already used');
  await page.getByRole('link', { name: 'Ask for a new link' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Reset your password' })).toBeVisible();
});

test('an address without an account gets the same confirmation', async ({ page }) => {
  await page.goto('/forgot-password');
  await page.getByLabel('Email').fill('nobody-here@example.test');
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText("If an account uses nobody-here@example.test, we've sent it a link");
});
