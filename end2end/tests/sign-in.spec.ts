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
