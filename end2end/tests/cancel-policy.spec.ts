// The owner-only cancel policy: admins lose the entry, and the API refuses
// them the wizard.
import { expect, test } from '@playwright/test';
import { apiSignIn, createAccount, userOf } from './fixtures/api';
import { CancelEntry, setOwnerOnlyCancel } from './fixtures/cancel';
import { signInAs } from './fixtures/pages';

test('with owner-only cancel on, an admin has no way to cancel', async ({ page, request, playwright, baseURL }) => {
  const account = await createAccount(request);
  const owner = await playwright.request.newContext({ baseURL });
  await apiSignIn(owner, userOf(account, 'owner'));
  await setOwnerOnlyCancel(owner, true);

  await signInAs(page, userOf(account, 'admin'));
  const entry = new CancelEntry(page);
  await expect(page.getByRole('region', { name: 'Payment method' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Invoices' })).toBeVisible();
  await expect(entry.link()).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Cancellation and refunds' })).toHaveCount(0);

  const res = await page.request.get('/api/cancel-flow');
  expect(res.status()).toBe(403);

  // A deep link to the wizard says why instead of starting it.
  await page.goto('/billing/cancel');
  await expect(page.getByRole('heading', { level: 1, name: "You can't cancel this subscription" })).toBeVisible();

  // With the policy off again, the admin may cancel.
  await setOwnerOnlyCancel(owner, false);
  await page.goto('/billing');
  await expect(entry.link()).toBeVisible();
  await owner.dispose();
});
