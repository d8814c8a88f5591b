// Sign-in & security: changing the password signs out every other session;
// signing out of the other sessions keeps this one.
import { Browser, Page } from '@playwright/test';
import { createAccount, TestUser, userOf } from './fixtures/api';
import { navLink, SignInPage, signInAs } from './fixtures/pages';
import { expect, test } from './fixtures/test';

/** A second browser (its own cookies) signed in as `user`. */
async function elsewhere(browser: Browser, user: TestUser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, user);
  await expect(page.getByRole('heading', { level: 1, name: 'Plans & Billing' })).toBeVisible();
  return page;
}

async function openSecurity(page: Page) {
  await navLink(page, 'Sign-in & security').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign-in & security' })).toBeVisible();
}

test('a user changes their password and every other session is signed out', async ({ page, request, browser }) => {
  const account = await createAccount(request);
  const owner = userOf(account, 'owner');
  await signInAs(page, owner);
  const other = await elsewhere(browser, owner);
  await openSecurity(page);
  const form = page.getByRole('form', { name: 'Password' });
  await form.getByLabel('Current password').fill(owner.password);
  await form.getByLabel('New password', { exact: true }).fill('a long new passphrase');
  await form.getByLabel('New password again').fill('a long new passphrase');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password was changed' })).toHaveText(
    /Your password was changed, and your 1 other session was signed out\./,
  );
  // The fields are cleared, and this session goes on.
  await expect(form.getByLabel('Current password')).toHaveValue('');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign-in & security' })).toBeVisible();
  // The other browser is signed out at its next step.
  await other.goto('/billing');
  await expect(other).toHaveURL(/\/sign-in/);
  const signIn = new SignInPage(other);
  await signIn.signIn(owner.email, owner.password);
  await expect(signIn.error()).toContainText('Incorrect email or password.');
  await signIn.signIn(owner.email, 'a long new passphrase');
  await expect(other.getByRole('heading', { level: 1, name: 'Plans & Billing' })).toBeVisible();
  // The audit log says so.
  await navLink(page, 'Audit log').click();
  await expect(page.getByText(/changed their password and was signed out of 1 other session/)).toBeVisible();
  await other.context().close();
});

test('the password form says what is wrong beside the field and moves to it', async ({ page, request }) => {
  const account = await createAccount(request);
  const owner = userOf(account, 'owner');
  await signInAs(page, owner);
  await openSecurity(page);
  const current = page.getByLabel('Current password');
  const fresh = page.getByLabel('New password', { exact: true });
  const again = page.getByLabel('New password again');
  const submit = page.getByRole('button', { name: 'Change password' });

  await current.fill(owner.password);
  await fresh.fill('short one');
  await again.fill('short one');
  await submit.click();
  await expect(fresh).toBeFocused();
  await expect(fresh).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Use at least 12 characters.')).toBeVisible();

  await fresh.fill('a long new passphrase');
  await again.fill('a long new passphrase, typo');
  await submit.click();
  await expect(again).toBeFocused();
  await expect(page.getByText('The two new passwords are not the same.')).toBeVisible();

  await current.fill('not my password at all');
  await again.fill('a long new passphrase');
  await submit.click();
  await expect(current).toBeFocused();
  await expect(page.getByText('That is not your current password.')).toBeVisible();
  await expect(current).toHaveAccessibleDescription('That is not your current password.');
});

test('signing out of other sessions keeps this one', async ({ page, request, browser }) => {
  const account = await createAccount(request);
  const admin = userOf(account, 'admin');
  await signInAs(page, admin);
  const other = await elsewhere(browser, admin);
  await openSecurity(page);
  await page.getByRole('button', { name: 'Sign out other sessions' }).click();
  await expect(page.getByText('Signed out of 1 other session.')).toBeVisible();
  await other.goto('/billing');
  await expect(other).toHaveURL(/\/sign-in/);
  await page.getByRole('button', { name: 'Sign out other sessions' }).click();
  await expect(page.getByText('You were not signed in anywhere else.')).toBeVisible();
  await other.context().close();
});
