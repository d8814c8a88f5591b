// Routes survive a reload, unknown pages say so, and the API's unknown routes are JSON.
import { expect, test } from '@playwright/test';
import { createAccount, userOf } from './fixtures/api';
import { signInAs } from './fixtures/pages';

test('a deep link reloads on the same page', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  await page.goto('/billing');
  await page.reload();
  await expect(page).toHaveURL(/\/billing$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Plans & Billing' })).toBeVisible();
  await expect(page.getByText('4 of 12 seats used')).toBeVisible();
});

test('an unknown page shows not found with a way back', async ({ page, request }) => {
  const account = await createAccount(request);
  await signInAs(page, userOf(account, 'owner'));
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to Plans & Billing' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Plans & Billing' })).toBeVisible();
});

test('an unknown API route is a JSON 404, not the app', async ({ request }) => {
  const res = await request.get('/api/unknown');
  expect(res.status()).toBe(404);
  expect((await res.json()).error.type).toBe('not_found_error');
});

test('the keyboard reaches sign-in and the skip link', async ({ page, request }) => {
  const account = await createAccount(request);
  const owner = userOf(account, 'owner');
  await page.goto('/sign-in');
  await page.getByLabel('Email').focus();
  await page.keyboard.type(owner.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(owner.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Plans & Billing' })).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
});
