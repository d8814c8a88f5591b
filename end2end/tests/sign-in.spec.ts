// Signing in and out.
import { expect, test } from './fixtures/test';
import { createAccount, userOf } from './fixtures/api';
import { SignInPage, signInAs } from './fixtures/pages';

test('a wrong password shows an error and keeps the user on sign-in', async ({ page, request }) => {
  const account = await createAccount(request);
  const owner = userOf(account, 'owner');
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(owner.email, 'not-the-password');
  await expect(signIn.error()).toContainText('Incorrect email or password.');
  await expect(page).toHaveURL(/\/sign-in/);
  // What the user typed is kept.
  await expect(page.getByLabel('Email')).toHaveValue(owner.email);
});

test('the owner signs in, sees Plans & Billing and signs out', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  await expect(page).toHaveURL(/\/billing$/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  // The session is gone on the server too.
  await page.goto('/billing');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('a signed-out visitor is sent to sign in and returned to the page asked for', async ({ page, request }) => {
  const account = await createAccount(request);
  const owner = userOf(account, 'owner');
  await page.goto('/billing');
  await expect(page).toHaveURL(/\/sign-in/);
  const signIn = new SignInPage(page);
  await signIn.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/billing$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Plans & Billing' })).toBeVisible();
});

test('after repeated wrong passwords the page says when to try again, then lets the user in', async ({
  page,
  request,
}) => {
  const account = await createAccount(request);
  const owner = userOf(account, 'owner');
  // Someone on this machine already got the password wrong seven times,
  // waiting out each refusal: the next try must wait four seconds.
  for (let failures = 0; failures < 7; ) {
    const res = await request.post('/api/session', {
      data: { email: owner.email, password: 'a wrong guess' },
    });
    if (res.status() === 429) {
      await page.waitForTimeout(Number(res.headers()['retry-after']) * 1000);
    } else {
      expect(res.status()).toBe(401);
      failures += 1;
    }
  }
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(owner.email, owner.password);
  await expect(signIn.error()).toContainText('Too many sign-in attempts.');
  await expect(signIn.error()).toContainText(/try again in \d seconds?\./);
  const button = page.getByRole('button', { name: 'Sign in' });
  await expect(button).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByText(/^You can try again in \d seconds?\.$/)).toBeVisible();
  // The wait ends on its own and says so.
  await expect(page.getByRole('status').filter({ hasText: 'You can try again now.' })).toBeAttached({
    timeout: 10_000,
  });
  await expect(button).not.toHaveAttribute('aria-disabled', 'true');
  await button.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Plans & Billing' })).toBeVisible();
});
